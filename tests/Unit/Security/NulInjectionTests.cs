using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Domain.Common;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Security;

/// <summary>
/// A secret's value could hold a NUL byte: it is stored encrypted, so PostgreSQL never refused it. bwrap reads its
/// options NUL-separated on standard input (--args 0), so such a value ended its --setenv and started options of the
/// tenant's choosing: "x\0--bind\0/\0/host" showed the host's whole file system, read-write as far as the
/// application's uid may, at /host (the host's /proc and every process's command line, the portal's data folder,
/// the host's /tmp to write in).
/// </summary>
public sealed class NulInjectionTests(EscapePortal escape) : IClassFixture<EscapePortal>
{
    private const string Injection = "x\0--bind\0/\0/host";

    [Fact]
    public async Task ASecretWithANul_IsRefused()
    {
        var team = await RuntimeTeam.OfAsync(escape.Portal);
        var environment = await team.CreateEnvironmentAsync();

        var created = await team.Owner.PostAsJsonAsync($"/api/environment/{environment}/secret", new { key = "INNOCENT", value = Injection });
        var plain = await team.Owner.PostAsJsonAsync($"/api/environment/{environment}/environmentVariable", new { key = "PLAIN", value = Injection });
        var secret = await team.Owner.PostForIdAsync($"/api/environment/{environment}/secret", new { key = "LATER", value = "fine" });
        var updated = await team.Owner.PutAsJsonAsync($"/api/secret/{secret}", new { value = Injection });

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, updated.StatusCode);
    }

    [Fact]
    public async Task ASecretWithANulStoredEarlier_FailsTheDeployment_AndAddsNoSandboxOption()
    {
        var marker = Guid.NewGuid().ToString("N");
        var canary = $"/tmp/platform-nul-escape-{marker}";
        using var repository = await TestGitRepository.CreateAsync(ShellApp.Files());
        var team = await RuntimeTeam.OfAsync(escape.Portal);
        var environment = await team.CreateEnvironmentAsync();
        var body = ShellApp.Body(repository.Url);
        // The start command would plant the canary in the host's /tmp, were the host's root at /host.
        body["start_command"] = $"(echo planted > /host{canary}) 2>/dev/null; exec python3 app.py";
        var application = await team.Owner.CreateApplicationAsync(environment, body);
        var secret = await team.Owner.PostForIdAsync($"/api/application/{application}/secret", new { key = "INNOCENT", value = "placeholder" });
        // As a portal before the rule stored it.
        var protector = escape.Portal.Services.GetRequiredService<ISecretProtector>();
        await using (var connection = new NpgsqlConnection(escape.Portal.ConnectionString))
        {
            await connection.OpenAsync();
            await using var update = new NpgsqlCommand("UPDATE variable SET protected_value = @value WHERE id = @id", connection);
            update.Parameters.AddWithValue("value", protector.Protect(Injection));
            update.Parameters.AddWithValue("id", secret);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        try
        {
            var ended = await team.Owner.EndedAsync(await RuntimeSteps.DeployAsync(team.Owner, application));
            await Task.Delay(1000);

            Assert.False(File.Exists(canary), "The application wrote into the host's /tmp through an injected --bind / /host");
            Assert.Equal("FAILED", ended.State());
            var lines = (await team.Owner.GetResultsAsync($"/api/application/{application}/log?tail=200")).Select(l => l!["message"]!.GetValue<string>()).ToList();
            var events = await team.Owner.GetResultsAsync($"/api/application/{application}/event?tail=200");
            Assert.Contains(events.Select(e => e!.ToJsonString()).Concat(lines), l => l.Contains("INNOCENT holds a NUL character", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(canary);
        }
    }
}
