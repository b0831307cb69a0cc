using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Platform.Domain.Common;
using Platform.Domain.Logs;
using Platform.Portal.Infrastructure.Postgres;

namespace Platform.Portal.Logs;

/// <summary>
/// Keeps log lines in PostgreSQL in batches: writers never wait on the database, and one binary COPY stores up to
/// thousands of lines. A single writer assigns sequences in the order lines arrived.
/// </summary>
public sealed partial class BatchedLogWriter(PlatformDatabase database, IDbContextFactory<PlatformDbContext> dbFactory, ILogger<BatchedLogWriter> logger)
    : BackgroundService, ILogSink
{
    private const int MaxBatch = 5000;
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);

    private readonly Channel<LogEntry> _lines = Channel.CreateBounded<LogEntry>(
        new BoundedChannelOptions(200_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly ConcurrentDictionary<Guid, Guid?> _organizations = new();

    public void Write(LogEntry entry) => _lines.Writer.TryWrite(entry);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<LogEntry>(MaxBatch);
        while (true)
        {
            try
            {
                if (!await _lines.Reader.WaitToReadAsync(stoppingToken))
                {
                    break;
                }

                await Task.Delay(FlushInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                // Stopping: write what is left, then end.
                _lines.Writer.TryComplete();
            }

            while (batch.Count < MaxBatch && _lines.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            if (batch.Count > 0)
            {
                await FlushAsync(batch);
                batch.Clear();
            }

            if (stoppingToken.IsCancellationRequested && !_lines.Reader.TryPeek(out _))
            {
                break;
            }
        }
    }

    private async Task FlushAsync(List<LogEntry> batch)
    {
        try
        {
            await ResolveOrganizationsAsync(batch);
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var writer = await connection.BeginBinaryImportAsync(
                "COPY log_line (id, organization_id, service_id, deployment_id, instance, stream, message, created_at) FROM STDIN (FORMAT BINARY)");
            foreach (var entry in batch)
            {
                if (_organizations.GetValueOrDefault(entry.ServiceId) is not { } organizationId)
                {
                    continue; // The service was deleted meanwhile.
                }

                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.CreateVersion7(entry.At), NpgsqlDbType.Uuid);
                await writer.WriteAsync(organizationId, NpgsqlDbType.Uuid);
                await writer.WriteAsync(entry.ServiceId, NpgsqlDbType.Uuid);
                if (entry.DeploymentId is { } deploymentId)
                {
                    await writer.WriteAsync(deploymentId, NpgsqlDbType.Uuid);
                }
                else
                {
                    await writer.WriteNullAsync();
                }

                await writer.WriteAsync(entry.Instance.Length > 64 ? entry.Instance[..64] : entry.Instance, NpgsqlDbType.Varchar);
                await writer.WriteAsync(entry.Stream.ToString().ToUpperInvariant(), NpgsqlDbType.Varchar);
                await writer.WriteAsync(Clean(entry.Message), NpgsqlDbType.Varchar);
                await writer.WriteAsync(entry.At, NpgsqlDbType.TimestampTz);
            }

            await writer.CompleteAsync();
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogWriteFailure(exception, batch.Count);
        }
    }

    private async Task ResolveOrganizationsAsync(List<LogEntry> batch)
    {
        var unknown = batch.Select(e => e.ServiceId).Distinct().Where(id => !_organizations.ContainsKey(id)).ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync();
        var found = await db.Applications.Where(a => unknown.Contains(a.Id)).Select(a => new { a.Id, a.Environment!.Project!.OrganizationId })
            .Concat(db.Databases.Where(d => unknown.Contains(d.Id)).Select(d => new { d.Id, d.Environment!.Project!.OrganizationId }))
            .ToDictionaryAsync(s => s.Id, s => s.OrganizationId);
        foreach (var id in unknown)
        {
            _organizations[id] = found.TryGetValue(id, out var organizationId) ? organizationId : null;
        }
    }

    /// <summary>PostgreSQL text holds no NUL; overlong lines are cut.</summary>
    private static string Clean(string message)
    {
        message = message.Replace("\0", "", StringComparison.Ordinal);
        return message.Length > LogLine.MaxMessageLength ? message[..LogLine.MaxMessageLength] : message;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} log lines could not be written")]
    private partial void LogWriteFailure(Exception exception, int count);
}
