using System.Net.Http.Headers;
using Platform.Client;
using Platform.Tests.Deployments;
using Platform.Tests.Support;
using Problem = Platform.Client.ProblemDetails;

namespace Platform.Tests.Clients;

/// <summary>
/// The C# client generated from docs/api/openapi.json (src/Platform.Client) driving a real portal: nothing here calls
/// the API but through it, so a contract the portal no longer keeps fails here or in the build.
/// </summary>
public sealed class GeneratedClientTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task GeneratedClient_SignsUpAndDeploysAnApplication_AndReadsWhatItPrinted()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var api = await SignedInAsync();
        var organization = await api.CreateOrganizationAsync(new OrganizationRequest { Name = $"clients-{CatalogueSteps.Unique()}" });
        var project = await api.CreateProjectAsync(organization.Id, new ProjectInput { Name = "shop" });
        var environment = await api.CreateEnvironmentAsync(project.Id, new EnvironmentInput { Name = "dev", Mode = EnvironmentMode.DEVELOPMENT });
        var application = await api.CreateApplicationAsync(environment.Id, new ApplicationInput
        {
            Name = "web",
            Git_repository = new GitSourceInput { Url = repository.Url, Branch = "main", Root_path = "/" },
            Start_command = SampleApp.StartCommand,
            Port = 8080,
            Cpu = 0.5,
            Memory = 64,
            Min_running_instances = 1,
            Max_running_instances = 1,
            Healthchecks = new HealthchecksInput
            {
                Readiness_probe = new ProbeInput
                {
                    Type = ProbeType.HTTP, Path = "/health", Initial_delay_seconds = 0, Period_seconds = 1, Timeout_seconds = 2, Failure_threshold = 3,
                },
            },
        });

        await api.DeployApplicationAsync(application.Id);
        var status = await Poll.UntilAsync(
            () => api.GetApplicationStatusAsync(application.Id), s => s.Status.State is "RUNNING" or "BUILD_ERROR" or "DEPLOYMENT_ERROR", "the application to run");
        var logs = await Poll.UntilAsync(
            () => api.ListApplicationLogsAsync(application.Id), l => l.Results.Any(PrintedByTheApp), "the application's first line in its logs");

        Assert.Equal("RUNNING", status.Status.State);
        Assert.Contains(logs.Results, line => PrintedByTheApp(line) && line.Stream == LogStream.STDOUT);
    }

    [Fact]
    public async Task GeneratedClient_ThrowsTheTypedProblem_WithStatusAndTitle_ForAnUnknownId()
    {
        var api = await SignedInAsync();

        var thrown = await Assert.ThrowsAsync<PlatformApiException<Problem>>(() => api.GetApplicationStatusAsync(Guid.NewGuid()));

        Assert.Equal(404, thrown.StatusCode);
        Assert.Equal(404, thrown.Result.Status);
        Assert.False(string.IsNullOrWhiteSpace(thrown.Result.Title));
        Assert.Equal(thrown.Result.Title, thrown.Message.Split('\n')[0]);
    }

    private static bool PrintedByTheApp(LogResponse line) => line.Message?.Contains("starting version v1", StringComparison.Ordinal) == true;

    /// <summary>A new account signed up and given a token through the client; answers a client that sends it.</summary>
    private async Task<PlatformClient> SignedInAsync()
    {
        var user = ApiSessions.NewUser();
        var http = portal.CreateAnonymousClient();
        var api = new PlatformClient(http);
        await api.RegisterUserAsync(new RegisterRequest { Email = user.Email, Password = user.Password, First_name = user.FirstName, Last_name = user.LastName });
        var token = await api.CreateAuthTokenAsync(new TokenRequest { Email = user.Email, Password = user.Password, Name = "generated client" });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return api;
    }
}
