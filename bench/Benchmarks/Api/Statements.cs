using System.Globalization;
using System.Text;
using Npgsql;

namespace Platform.Benchmarks.Api;

/// <summary>
/// Opt-in look at the database's side of a measurement: with PLATFORM_BENCH_STATEMENTS set to a folder, PostgreSQL
/// loads pg_stat_statements, its figures are reset before each API measurement (platform and baseline alike) and
/// written after it to {folder}/{name}.txt: each statement's calls, total and mean execution time and rows, the
/// costliest first. It shows how many queries an answer costs and what each costs the server, next to the portal's
/// own CPU that <see cref="Traces"/> shows.
/// </summary>
internal static class Statements
{
    private static readonly string? Folder = Environment.GetEnvironmentVariable("PLATFORM_BENCH_STATEMENTS") is { Length: > 0 } folder ? folder : null;

    /// <summary>The server settings a run adds when statements are collected.</summary>
    public static IReadOnlyList<string> ServerSettings => Folder is null ? [] : ["shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=all"];

    public static async Task ResetAsync(string connectionString, CancellationToken cancellationToken)
    {
        if (Folder is null)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task WriteAsync(string connectionString, string name, long requests, CancellationToken cancellationToken)
    {
        if (Folder is null)
        {
            return;
        }

        Directory.CreateDirectory(Folder);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT calls, total_exec_time, mean_exec_time, rows, query FROM pg_stat_statements " +
            "WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT 25", connection);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{requests} requests answered\n\n");
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var calls = reader.GetInt64(0);
                text.Append(CultureInfo.InvariantCulture,
                    $"calls {calls} ({(requests == 0 ? 0 : (double)calls / requests):0.00}/request) · total {reader.GetDouble(1):0} ms · mean {reader.GetDouble(2):0.000} ms · rows {reader.GetInt64(3)}\n{reader.GetString(4)}\n\n");
            }
        }

        await File.WriteAllTextAsync(Path.Combine(Folder, name + ".txt"), text.ToString(), cancellationToken);
    }
}
