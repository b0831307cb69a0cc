using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Platform.Portal.Infrastructure.Postgres;

namespace Platform.Portal.Infrastructure;

/// <summary>
/// Healthy when PostgreSQL answers a query within a few seconds. One instance for the process: the check runs on a
/// small pool of its own (not the requests' pool, so a busy portal still answers it, and a load balancer's polling
/// costs no new server process per call), and calls that arrive while a check is running share its answer, so every
/// answer is at most one query old.
/// </summary>
public sealed class DatabaseHealthCheck(PlatformDatabase database) : IHealthCheck, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private Task<HealthCheckResult>? _running;
    private NpgsqlDataSource? _dataSource;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_running is null || _running.IsCompleted)
            {
                // Not the caller's token: the check is shared, and its own timeouts bound it.
                _running = ProbeAsync();
            }

            return _running.WaitAsync(cancellationToken);
        }
    }

    private async Task<HealthCheckResult> ProbeAsync()
    {
        try
        {
            _dataSource ??= new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(database.ConnectionString)
            {
                Timeout = 3,
                CommandTimeout = 3,
                MaxPoolSize = 2,
            }.ConnectionString).Build();
            await using var command = _dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync();
            return HealthCheckResult.Healthy("The database answers.");
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // A connection the server dropped is not reused: the next check opens a fresh one.
            _dataSource?.Clear();
            return HealthCheckResult.Unhealthy("The database does not answer.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }
}
