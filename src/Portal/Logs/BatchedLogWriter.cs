using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Platform.Domain.Common;
using Platform.Domain.Live;
using Platform.Domain.Logs;
using Platform.Portal.Infrastructure.Postgres;

namespace Platform.Portal.Logs;

/// <summary>
/// Keeps log lines in PostgreSQL in batches: writers never wait on the database, and one binary COPY stores up to
/// thousands of lines. A single writer assigns sequences in the order lines arrived.
/// <para>
/// What waits in memory is bounded by its text, not only by its count: an application printing long lines faster than
/// the database takes them (8 KiB lines for 5 s grew the portal by 1.6 GB) would otherwise fill the queue's 200,000
/// places with up to 3 GB, and push out every other service's lines. Each service may have
/// <see cref="MaxQueuedCharactersPerService"/> waiting, all together <see cref="MaxQueuedCharacters"/>; a line over
/// either is not kept, and once the queue has room again the service gets one line saying how many were not.
/// </para>
/// </summary>
public sealed partial class BatchedLogWriter(PlatformDatabase database, IDbContextFactory<PlatformDbContext> dbFactory, ILiveNotifier bus, ILogger<BatchedLogWriter> logger)
    : BackgroundService, ILogSink
{
    private const int MaxBatch = 5000;
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Characters of text waiting for the database, all services together (about 32 MB as UTF-16).</summary>
    public const long MaxQueuedCharacters = 16L * 1024 * 1024;

    /// <summary>Characters of text one service may have waiting (about 8 MB as UTF-16, some 500 lines of 8 KiB or 40,000 of 100 characters).</summary>
    public const long MaxQueuedCharactersPerService = 4L * 1024 * 1024;

    /// <summary>What a line costs besides its text, so that a flood of empty lines counts too.</summary>
    private const int EntryOverhead = 64;

    // Wait, not DropOldest: TryWrite then says when the queue is full, and the line is counted as not kept.
    private readonly Channel<LogEntry> _lines = Channel.CreateBounded<LogEntry>(
        new BoundedChannelOptions(200_000) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    private readonly ConcurrentDictionary<Guid, Owner?> _owners = new();
    private readonly ConcurrentDictionary<Guid, long> _queuedPerService = new();
    private readonly ConcurrentDictionary<Guid, Dropped> _dropped = new();
    private long _queued;

    /// <summary>Lines of a service that were not kept, and where the last one came from (for the line that says so).</summary>
    private sealed record Dropped(long Count, Guid? DeploymentId, string Instance);

    /// <summary>The organization and environment a service belongs to, for the rows and the live bus.</summary>
    private sealed record Owner(Guid OrganizationId, Guid EnvironmentId);

    public void Write(LogEntry entry)
    {
        var size = Size(entry);
        var service = _queuedPerService.AddOrUpdate(entry.ServiceId, size, (_, queued) => queued + size);
        var all = Interlocked.Add(ref _queued, size);
        if (service > MaxQueuedCharactersPerService || all > MaxQueuedCharacters || !_lines.Writer.TryWrite(entry))
        {
            Release(entry.ServiceId, size);
            _dropped.AddOrUpdate(entry.ServiceId, _ => new Dropped(1, entry.DeploymentId, entry.Instance), (_, d) => new Dropped(d.Count + 1, entry.DeploymentId, entry.Instance));
        }
    }

    /// <summary>Characters of text waiting now, all services together.</summary>
    public long QueuedCharacters => Interlocked.Read(ref _queued);

    private static long Size(LogEntry entry) => entry.Message.Length + (long)EntryOverhead;

    private void Release(Guid serviceId, long size)
    {
        Interlocked.Add(ref _queued, -size);
        _queuedPerService.AddOrUpdate(serviceId, 0, (_, queued) => queued - size);
    }

    /// <summary>One line per service whose lines were not kept since the last batch, saying how many.</summary>
    private void NoteDropped(List<LogEntry> batch)
    {
        foreach (var serviceId in _dropped.Keys)
        {
            if (_dropped.TryRemove(serviceId, out var dropped))
            {
                batch.Add(new LogEntry(serviceId, dropped.DeploymentId, dropped.Instance, LogStream.System,
                    $"{dropped.Count} line(s) were not kept: this service printed faster than the portal stores logs.", DateTimeOffset.UtcNow));
            }
        }
    }

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
                Release(entry.ServiceId, Size(entry));
                batch.Add(entry);
            }

            NoteDropped(batch);

            if (batch.Count > 0)
            {
                try
                {
                    await FlushAsync(batch);
                }
                catch (Exception exception)
                {
                    // Whatever one batch holds, the writer lives on: a line must never stop the portal.
                    LogWriteFailure(exception, batch.Count);
                }

                batch.Clear();
            }

            if (stoppingToken.IsCancellationRequested && !_lines.Reader.TryPeek(out _))
            {
                break;
            }
        }
    }

    private async Task FlushAsync(List<LogEntry> batch, bool retried = false)
    {
        try
        {
            await ResolveOwnersAsync(batch);
            var lines = new List<(Owner Owner, LogLine Line)>(batch.Count);
            foreach (var entry in batch)
            {
                if (_owners.GetValueOrDefault(entry.ServiceId) is { } owner)
                {
                    lines.Add((owner, new LogLine
                    {
                        Id = Ids.New(),
                        OrganizationId = owner.OrganizationId,
                        ServiceId = entry.ServiceId,
                        DeploymentId = entry.DeploymentId,
                        Instance = Texts.Cut(entry.Instance, 64),
                        Stream = entry.Stream,
                        Message = Clean(entry.Message),
                        CreatedAt = entry.At,
                    }));
                }
            }

            await using (var connection = new NpgsqlConnection(database.ConnectionString))
            {
                await connection.OpenAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                await CopyAsync(connection, lines.Select(l => l.Line));

                // The per-service counter a page of logs reads its total from.
                foreach (var group in lines.GroupBy(l => l.Line.ServiceId))
                {
                    await using var count = new NpgsqlCommand(
                        "INSERT INTO log_count (service_id, lines) VALUES (@service, @lines) ON CONFLICT (service_id) DO UPDATE SET lines = log_count.lines + excluded.lines",
                        connection, transaction);
                    count.Parameters.AddWithValue("service", group.Key);
                    count.Parameters.AddWithValue("lines", (long)group.Count());
                    await count.ExecuteNonQueryAsync();
                }

                await transaction.CommitAsync();
            }

            foreach (var group in lines.GroupBy(l => l.Line.ServiceId))
            {
                var owner = group.First().Owner;
                bus.Publish(new LogsAdded(owner.OrganizationId, owner.EnvironmentId, group.Key, group.Select(l => l.Line).ToList()));
            }
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.ForeignKeyViolation && !retried)
        {
            // An organization went away with lines still queued: learn again who owns what, and keep the others' lines.
            _owners.Clear();
            await FlushAsync(batch, retried: true);
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogWriteFailure(exception, batch.Count);
        }
    }

    private static async Task CopyAsync(NpgsqlConnection connection, IEnumerable<LogLine> lines)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY log_line (id, organization_id, service_id, deployment_id, instance, stream, message, created_at) FROM STDIN (FORMAT BINARY)");
        foreach (var line in lines)
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(line.Id, NpgsqlDbType.Uuid);
            await writer.WriteAsync(line.OrganizationId, NpgsqlDbType.Uuid);
            await writer.WriteAsync(line.ServiceId, NpgsqlDbType.Uuid);
            if (line.DeploymentId is { } deploymentId)
            {
                await writer.WriteAsync(deploymentId, NpgsqlDbType.Uuid);
            }
            else
            {
                await writer.WriteNullAsync();
            }

            await writer.WriteAsync(line.Instance, NpgsqlDbType.Varchar);
            await writer.WriteAsync(line.Stream.ToString(), NpgsqlDbType.Varchar);
            await writer.WriteAsync(line.Message, NpgsqlDbType.Varchar);
            await writer.WriteAsync(line.CreatedAt, NpgsqlDbType.TimestampTz);
        }

        await writer.CompleteAsync();
    }

    private async Task ResolveOwnersAsync(List<LogEntry> batch)
    {
        var unknown = batch.Select(e => e.ServiceId).Distinct().Where(id => !_owners.ContainsKey(id)).ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync();
        var found = await db.Applications.Where(a => unknown.Contains(a.Id)).Select(a => new { a.Id, a.Environment!.Project!.OrganizationId, a.EnvironmentId })
            .Concat(db.Databases.Where(d => unknown.Contains(d.Id)).Select(d => new { d.Id, d.Environment!.Project!.OrganizationId, d.EnvironmentId }))
            .ToDictionaryAsync(s => s.Id, s => new Owner(s.OrganizationId, s.EnvironmentId));
        foreach (var id in unknown)
        {
            _owners[id] = found.GetValueOrDefault(id);
        }
    }

    /// <summary>PostgreSQL text holds no NUL; overlong lines are cut, never inside a character's surrogate pair.</summary>
    internal static string Clean(string message)
    {
        message = message.Replace("\0", "", StringComparison.Ordinal);
        return Texts.Cut(message, LogLine.MaxMessageLength);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} log lines could not be written")]
    private partial void LogWriteFailure(Exception exception, int count);
}
