using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Portal.Runtime;
using Platform.Tests.Support;

namespace Platform.Tests.Databases;

/// <summary>
/// Portals (or two database deploys) that close the same server's databases at the same moment make PostgreSQL answer
/// one REVOKE with "tuple concurrently updated"; Npgsql breaks the connection on it, and the retry on that same
/// connection threw "Connection is not open": a portal then failed to start, or a database deploy failed.
/// </summary>
public sealed class RevokeRaceTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task SweepsAtTheSameMoment_AllSucceed()
    {
        var names = Enumerable.Range(0, 20).Select(_ => $"race_{Guid.NewGuid():N}").ToList();
        var admin = new NpgsqlConnectionStringBuilder(portal.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            foreach (var name in names)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
                await create.ExecuteNonQueryAsync();
            }
        }

        var server = portal.Services.GetRequiredService<LocalDatabaseServer>();
        try
        {
            for (var round = 0; round < 8; round++)
            {
                await using (var connection = new NpgsqlConnection(admin))
                {
                    await connection.OpenAsync();
                    foreach (var name in names)
                    {
                        await using var open = new NpgsqlCommand($"GRANT CONNECT ON DATABASE {name} TO PUBLIC", connection);
                        await open.ExecuteNonQueryAsync();
                    }
                }

                await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => server.CloseToPublicAsync(CancellationToken.None))));
            }
        }
        finally
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            foreach (var name in names)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }
    }
}
