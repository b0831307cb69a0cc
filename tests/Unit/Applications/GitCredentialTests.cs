using System.Net;
using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Npgsql;
using Platform.Domain.Access;
using Platform.Domain.Applications;
using Platform.Domain.Common;
using Platform.Domain.Runtime;
using Platform.Portal.Applications;
using Platform.Portal.Infrastructure.Auth;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Applications;

/// <summary>A portal whose runtime records fetch orders, keeping one build per application so that a rollback fetches again.</summary>
public sealed class CredentialPortal : IAsyncLifetime
{
    public PortalFactory Portal { get; } = PortalFactory.With(new Dictionary<string, string?> { ["Runtime:KeptBuilds"] = "1" }, RecordingRuntime.Replace);

    public RecordingRuntime Runtime => Portal.Services.GetRequiredService<RecordingRuntime>();

    public Task InitializeAsync() => Portal.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)Portal).DisposeAsync();
}

/// <summary>
/// A repository URL's password or token (https://user:password@host/…, https://TOKEN@host/…) is stored apart,
/// encrypted; every role reads the URL with *** in its place, in answers, deployments, events and pages; a PUT of the
/// URL as read keeps it; the runtime receives it beside the URL, in the fetch order, and never inside it.
/// </summary>
public sealed class GitCredentialTests(CredentialPortal fixture) : IClassFixture<CredentialPortal>
{
    private const string Host = "git.example.test";
    private const string PlainUrl = $"https://{Host}/team/web.git";
    private const string MaskedUrl = $"https://deployer:***@{Host}/team/web.git";

    private PortalFactory Portal => fixture.Portal;

    private static string UrlWith(string password) => $"https://deployer:{password}@{Host}/team/web.git";

    private static string NewPassword() => $"pw-{Guid.NewGuid():N}";

    [Theory]
    [InlineData("OWNER member")]
    [InlineData("ADMIN member")]
    [InlineData("DEVELOPER member")]
    [InlineData("VIEWER member")]
    [InlineData("ADMIN token")]
    [InlineData("DEVELOPER token")]
    [InlineData("VIEWER token")]
    public async Task Read_ByEveryRole_AnswersTheUrlWithItsPasswordMasked(string caller)
    {
        var team = await TeamAsync();
        var password = NewPassword();
        var (environment, application) = await team.CreateApplicationAsync(UrlWith(password));
        var client = team.Caller(caller);

        var got = await client.GetAsync($"/api/application/{application}");
        var listed = await client.GetAsync($"/api/environment/{environment}/application");
        var gotBody = await got.Content.ReadAsStringAsync();
        var listedBody = await listed.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal(MaskedUrl, JsonNode.Parse(gotBody)!["git_repository"].Text("url"));
        Assert.Equal(MaskedUrl, JsonNode.Parse(listedBody)!["results"]![0]!["git_repository"].Text("url"));
        Assert.DoesNotContain(password, gotBody, StringComparison.Ordinal);
        Assert.DoesNotContain(password, listedBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenGivenAsTheUser_IsMaskedWhole()
    {
        var team = await TeamAsync();
        var token = $"ghp_{Guid.NewGuid():N}";
        var (_, application) = await team.CreateApplicationAsync($"https://{token}@github.com/org/repo.git");

        var body = await team.Viewer.GetStringAsync($"/api/application/{application}");

        Assert.Equal("https://***@github.com/org/repo.git", JsonNode.Parse(body)!["git_repository"].Text("url"));
        Assert.DoesNotContain(token, body, StringComparison.Ordinal);
        Assert.Equal(token, await StoredSecretAsync(application));
    }

    [Theory]
    [InlineData($"ssh://git@{Host}/team/web.git")]
    [InlineData($"git@{Host}:team/web.git")]
    public async Task SshUserNames_AreNoSecrets_AndStayInTheUrl(string url)
    {
        var team = await TeamAsync();
        var (_, application) = await team.CreateApplicationAsync(url);

        var read = await team.Viewer.GetObjectAsync($"/api/application/{application}");

        Assert.Equal(url, read["git_repository"].Text("url"));
        Assert.Null(await StoredSecretAsync(application));
    }

    [Fact]
    public async Task StoredRow_HoldsThePasswordOnlyEncrypted()
    {
        var team = await TeamAsync();
        var password = NewPassword();
        var (_, application) = await team.CreateApplicationAsync(UrlWith(password));

        var row = await RowAsync("SELECT a::text FROM application a WHERE id = @id", application);

        Assert.DoesNotContain(password, row, StringComparison.Ordinal);
        Assert.Contains(MaskedUrl, row, StringComparison.Ordinal);
        Assert.Equal(password, await StoredSecretAsync(application));
    }

    [Fact]
    public async Task PutOfTheUrlAsRead_KeepsThePassword_AndTheFetchOrderCarriesIt()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        fixture.Runtime.Serve(PlainUrl, repository.Url);
        var team = await TeamAsync();
        var password = NewPassword();
        var (_, application) = await team.CreateApplicationAsync(UrlWith(password));
        var read = await team.Owner.GetObjectAsync($"/api/application/{application}");

        var updated = await (await team.Developer.PutAsJsonAsync($"/api/application/{application}", new
        {
            git_repository = read["git_repository"]!.DeepClone(),
            memory = 128,
        })).ReadJsonAsync(HttpStatusCode.OK, "PUT the application as read");
        await team.Owner.DeployOkAsync(application);

        Assert.Equal(MaskedUrl, updated["git_repository"].Text("url"));
        Assert.Equal(password, await StoredSecretAsync(application));
        var fetch = fixture.Runtime.LastFetchOf(application);
        Assert.Equal(PlainUrl, fetch.Source.Url);
        Assert.Equal(new GitCredentials("deployer", password), fetch.Credentials);
    }

    [Fact]
    public async Task PutWithANewPassword_ReplacesIt()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        fixture.Runtime.Serve(PlainUrl, repository.Url);
        var team = await TeamAsync();
        var (environment, application) = await team.CreateApplicationAsync(UrlWith(NewPassword()));
        var replacement = NewPassword();

        var updated = await (await team.Owner.PutAsJsonAsync($"/api/application/{application}", new { git_repository = new { url = UrlWith(replacement) } }))
            .ReadJsonAsync(HttpStatusCode.OK, "PUT a new password");
        await team.Owner.DeployOkAsync(application);

        Assert.Equal(MaskedUrl, updated["git_repository"].Text("url"));
        Assert.Equal(replacement, await StoredSecretAsync(application));
        Assert.Equal(new GitCredentials("deployer", replacement), fixture.Runtime.LastFetchOf(application).Credentials);
        var events = await team.Owner.GetResultsAsync($"/api/environment/{environment}/event?tail=500");
        Assert.Contains(events, e => e!["status"].Text("message")?.Contains("has a new password or token", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task PutWithoutCredentials_ClearsThem()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        fixture.Runtime.Serve(PlainUrl, repository.Url);
        var team = await TeamAsync();
        var (_, application) = await team.CreateApplicationAsync(UrlWith(NewPassword()));

        var updated = await (await team.Owner.PutAsJsonAsync($"/api/application/{application}", new { git_repository = new { url = PlainUrl } }))
            .ReadJsonAsync(HttpStatusCode.OK, "PUT a URL without credentials");
        await team.Owner.DeployOkAsync(application);

        Assert.Equal(PlainUrl, updated["git_repository"].Text("url"));
        Assert.Null(await StoredSecretAsync(application));
        Assert.Null(fixture.Runtime.LastFetchOf(application).Credentials);
    }

    [Theory]
    [InlineData("https://deployer:***@evil.example.test/team/web.git")]
    [InlineData($"https://someone-else:***@{Host}/team/web.git")]
    [InlineData($"https://***@{Host}/team/web.git")]
    public async Task PutWithTheMaskForAnotherHostOrUser_Returns400_AndKeepsThePassword(string url)
    {
        var team = await TeamAsync();
        var password = NewPassword();
        var (_, application) = await team.CreateApplicationAsync(UrlWith(password));

        var response = await team.Owner.PutAsJsonAsync($"/api/application/{application}", new { git_repository = new { url } });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, $"PUT {url}");
        Assert.Equal(["git_repository.url"], problem.ErrorFields());
        Assert.Equal(MaskedUrl, (await team.Owner.GetObjectAsync($"/api/application/{application}"))["git_repository"].Text("url"));
        Assert.Equal(password, await StoredSecretAsync(application));
    }

    [Fact]
    public async Task CreateWithTheMask_Returns400()
    {
        var team = await TeamAsync();
        var environment = await team.CreateEnvironmentAsync();

        var response = await team.Owner.PostAsJsonAsync($"/api/environment/{environment}/application", RuntimeSteps.ApplicationBody(MaskedUrl));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "POST an application with *** for its password");
        Assert.Equal(["git_repository.url"], problem.ErrorFields());
    }

    [Fact]
    public async Task Rollback_FetchesWithThePasswordItsSnapshotKeptEncrypted()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        fixture.Runtime.Serve(PlainUrl, repository.Url);
        var team = await TeamAsync();
        var first = NewPassword();
        var (environment, application) = await team.CreateApplicationAsync(UrlWith(first));
        var firstDeployment = await team.Owner.DeployOkAsync(application);
        var second = NewPassword();
        await team.Owner.UpdateApplicationAsync(application, new { git_repository = new { url = UrlWith(second) } });
        await team.Owner.DeployOkAsync(application);
        // The first build is pruned once the release before has drained and stopped, in the background: only then
        // does the rollback have to fetch again.
        var builds = Path.Combine(fixture.Portal.DataDirectory, "runtime", "apps", application.ToString("N"), "builds");
        for (var i = 0; i < 100 && Directory.GetDirectories(builds).Length > 1; i++)
        {
            await Task.Delay(100);
        }

        var rollback = await team.Owner.EndedAsync(await team.Owner.PostForDeploymentAsync(
            $"/api/environment/{environment}/deployment/{firstDeployment.Text("id")}/rollback"));

        Assert.True(rollback.State() == "OK", $"The rollback did not succeed: {rollback.ToJsonString()}");
        Assert.Equal(new GitCredentials("deployer", first), fixture.Runtime.LastFetchOf(application).Credentials);
        var snapshots = await RowsAsync("SELECT d::text FROM service_deployment d WHERE service_id = @id", application);
        Assert.NotEmpty(snapshots);
        Assert.DoesNotContain(snapshots, row => row.Contains(first, StringComparison.Ordinal) || row.Contains(second, StringComparison.Ordinal));
        Assert.Contains(snapshots, row => row.Contains(MaskedUrl, StringComparison.Ordinal));
        Assert.Equal(second, await StoredSecretAsync(application));
    }

    [Fact]
    public async Task Viewer_SeesNoPassword_InDeploymentsEventsLogsOrPages()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        fixture.Runtime.Serve(PlainUrl, repository.Url);
        var team = await TeamAsync();
        var password = NewPassword();
        var (environment, application) = await team.CreateApplicationAsync(UrlWith(password));
        await team.Owner.DeployOkAsync(application);
        await team.Owner.UpdateApplicationAsync(application, new { git_repository = new { url = UrlWith(NewPassword()) } });
        var viewer = await Portal.SignedInClientAsync(team.ViewerUser);

        string[] answers =
        [
            $"/api/application/{application}/deployment",
            $"/api/environment/{environment}/deployment",
            $"/api/application/{application}/event?tail=500",
            $"/api/environment/{environment}/event?tail=500",
            $"/api/application/{application}/log?tail=500",
            $"/api/application/{application}/status",
        ];
        foreach (var path in answers)
        {
            var response = await team.Viewer.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {body}");
            Assert.DoesNotContain(password, body, StringComparison.Ordinal);
        }

        foreach (var page in new[] { $"/application/{application}", $"/environment/{environment}" })
        {
            var html = await viewer.GetStringAsync(page);
            Assert.DoesNotContain(password, html, StringComparison.Ordinal);
        }

        Assert.Contains(MaskedUrl, await viewer.GetStringAsync($"/environment/{environment}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettingsForm_ShowsAViewerTheUrlMasked()
    {
        var team = await TeamAsync();
        var password = NewPassword();
        var (environment, application) = await team.CreateApplicationAsync(UrlWith(password));
        await using var scope = Portal.Services.CreateAsyncScope();
        await using var context = FormContext(scope, team.ViewerId);
        var shown = (await scope.ServiceProvider.GetRequiredService<ApplicationService>().GetAsync(new Caller(team.ViewerId), application)).Value;

        var form = context.Render<ApplicationForm>(p => p.Add(f => f.EnvironmentId, environment).Add(f => f.Existing, shown).Add(f => f.ReadOnly, true));

        Assert.Contains(form.FindAll("input"), input => input.GetAttribute("value") == MaskedUrl);
        Assert.DoesNotContain(password, form.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettingsFormSavedWithTheUrlAsShown_KeepsThePassword()
    {
        var team = await TeamAsync();
        var password = NewPassword();
        var (environment, application) = await team.CreateApplicationAsync(UrlWith(password));
        await using var scope = Portal.Services.CreateAsyncScope();
        await using var context = FormContext(scope, team.OwnerId);
        var shown = (await scope.ServiceProvider.GetRequiredService<ApplicationService>().GetAsync(new Caller(team.OwnerId), application)).Value;
        ApplicationView? saved = null;
        var form = context.Render<ApplicationForm>(p => p.Add(f => f.EnvironmentId, environment).Add(f => f.Existing, shown)
            .Add(f => f.OnSaved, view => saved = view));

        await form.FindAll("button").Single(b => b.TextContent.Contains("Save settings", StringComparison.Ordinal)).ClickAsync(new MouseEventArgs());

        await form.WaitForAssertionAsync(() => Assert.NotNull(saved), TimeSpan.FromSeconds(10));
        Assert.Equal(MaskedUrl, saved!.Settings.GitRepository.Url);
        Assert.Equal(password, await StoredSecretAsync(application));
    }

    /// <summary>The settings form as the portal renders it for this user, on the host's services.</summary>
    private static BunitContext FormContext(AsyncServiceScope scope, Guid userId)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        var authorization = context.AddAuthorization();
        authorization.SetAuthorized($"{userId}");
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId.ToString()));
        context.Services.AddScoped<CurrentCaller>();
        context.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<ApplicationService>());
        return context;
    }

    [Fact]
    public async Task SecretsThatOlderVersionsKeptInUrls_AreMovedOutAndEncrypted_AtStart()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        fixture.Runtime.Serve(PlainUrl, repository.Url);
        var team = await TeamAsync();
        var (_, application) = await team.CreateApplicationAsync(PlainUrl);
        await team.Owner.DeployOkAsync(application);
        var old = NewPassword();
        const string embed = "SET settings = jsonb_set(settings, '{git_repository,url}', to_jsonb(@url::text))";
        await Portal.ExecuteSqlAsync($"UPDATE application {embed} WHERE id = @id", ("url", UrlWith(old)), ("id", application));
        await Portal.ExecuteSqlAsync($"UPDATE service_deployment {embed} WHERE service_id = @id AND settings IS NOT NULL", ("url", UrlWith(old)), ("id", application));

        var moved = await MoveEmbeddedSecretsAsync();
        var again = await MoveEmbeddedSecretsAsync();
        await team.Owner.DeployOkAsync(application);

        Assert.Equal((1, 1), moved);
        Assert.Equal((0, 0), again);
        Assert.DoesNotContain(old, await RowAsync("SELECT a::text FROM application a WHERE id = @id", application), StringComparison.Ordinal);
        Assert.DoesNotContain(await RowsAsync("SELECT d::text FROM service_deployment d WHERE service_id = @id", application), row => row.Contains(old, StringComparison.Ordinal));
        Assert.Equal(old, await StoredSecretAsync(application));
        Assert.Equal(new GitCredentials("deployer", old), fixture.Runtime.LastFetchOf(application).Credentials);
    }

    private async Task<(int, int)> MoveEmbeddedSecretsAsync()
    {
        await using var db = await Portal.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync();
        return await EmbeddedGitSecrets.MoveAsync(db, Portal.Services.GetRequiredService<ISecretProtector>());
    }

    /// <summary>The application's stored repository secret, decrypted; null when none is stored.</summary>
    private async Task<string?> StoredSecretAsync(Guid application)
    {
        await using var connection = new NpgsqlConnection(Portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT protected_git_secret FROM application WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", application);
        return await command.ExecuteScalarAsync() is string protectedSecret
            ? Portal.Services.GetRequiredService<ISecretProtector>().Unprotect(protectedSecret)
            : null;
    }

    private async Task<string> RowAsync(string sql, Guid id) => Assert.Single(await RowsAsync(sql, id));

    private async Task<List<string>> RowsAsync(string sql, Guid id)
    {
        await using var connection = new NpgsqlConnection(Portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private Task<CredentialTeam> TeamAsync() => Portal.SharedAsync(CredentialTeam.CreateAsync);

    /// <summary>An owner with a project, and a member and an organization token of every other role.</summary>
    private sealed record CredentialTeam(HttpClient Owner, Guid OwnerId, Guid ProjectId, RoleTeam Roles)
    {
        public TestUser ViewerUser => Roles.Member("VIEWER").User;

        public Guid ViewerId => Roles.Member("VIEWER").UserId;

        public HttpClient Viewer => Roles.Member("VIEWER").Client;

        public HttpClient Developer => Roles.Member("DEVELOPER").Client;

        public HttpClient Caller(string name) => name == "OWNER member" ? Owner : Roles.Caller(name);

        public static async Task<CredentialTeam> CreateAsync(PortalFactory portal)
        {
            var (owner, _) = await portal.CreateUserClientAsync();
            var organization = await owner.CreateOrganizationAsync($"Credentials {CatalogueSteps.Unique()}");
            var project = await owner.PostForIdAsync($"/api/organization/{organization}/project", new { name = "shop" });
            var roles = await RoleTeam.CreateAsync(portal, owner, organization, "ADMIN", "DEVELOPER", "VIEWER");
            return new CredentialTeam(owner, await owner.GetUserIdAsync(), project, roles);
        }

        public Task<Guid> CreateEnvironmentAsync() =>
            Owner.PostForIdAsync($"/api/project/{ProjectId}/environment", new { name = $"env-{CatalogueSteps.Unique()}", mode = "DEVELOPMENT" });

        public async Task<(Guid Environment, Guid Application)> CreateApplicationAsync(string url)
        {
            var environment = await CreateEnvironmentAsync();
            return (environment, await Owner.CreateApplicationAsync(environment, RuntimeSteps.ApplicationBody(url)));
        }
    }
}
