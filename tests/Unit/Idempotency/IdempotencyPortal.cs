using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Platform.Tests.Support;

namespace Platform.Tests.Idempotency;

/// <summary>A real portal on the fake runtime (deployments are queued and run, no process starts) with a clock the tests move.</summary>
public sealed class IdempotencyPortal : IAsyncLifetime
{
    public IdempotencyPortal() =>
        Portal = PortalFactory.With(new Dictionary<string, string?>(), services =>
        {
            FakeRuntime.Replace(services, State);
            services.AddSingleton<TimeProvider>(Clock);
        });

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public FakeRuntimeState State { get; } = new();

    public PortalFactory Portal { get; }

    public Task InitializeAsync() => Portal.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)Portal).DisposeAsync();

    /// <summary>Sends a JSON write with an Idempotency-Key.</summary>
    public static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object? body, string key)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    public async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(Portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }
}
