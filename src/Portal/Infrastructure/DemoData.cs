using Platform.Domain.Access;
using Platform.Domain.Applications;
using Platform.Domain.Environments;
using Platform.Domain.Organizations;
using Platform.Domain.Projects;
using Platform.Domain.Users;

namespace Platform.Portal.Infrastructure;

/// <summary>
/// What ./run.sh asks for so a newcomer has something to click through: a demo user (credentials kept in the
/// data folder and printed by run.sh), and once, a demo organization whose development environment holds the
/// sample application of samples/hello-python. Nothing happens unless Demo:Email is set.
/// </summary>
public static class DemoData
{
    public static async Task SeedAsync(IServiceProvider services, IConfiguration configuration, ILogger logger)
    {
        var email = configuration["Demo:Email"];
        var password = configuration["Demo:Password"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password))
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserService>();
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            var created = await users.RegisterAsync(new RegisterUser(email, password, "Demo", "User"), isPlatformAdmin: true, emailConfirmed: true);
            if (!created.IsSuccess)
            {
                logger.LogWarning("The demo user {Email} could not be created: {Reason}", email, created.Error!.Message);
                return;
            }

            user = created.Value;
            logger.LogInformation("Created the demo user {Email}", email);
            await SeedOrganizationAsync(scope.ServiceProvider, new Caller(user.Id), configuration["Demo:SampleRepository"], logger);
        }
    }

    private static async Task SeedOrganizationAsync(IServiceProvider services, Caller demo, string? sampleRepository, ILogger logger)
    {
        var organization = await services.GetRequiredService<OrganizationService>().CreateAsync(demo, new OrganizationInput("Demo", "Click through the portal here."));
        var project = await services.GetRequiredService<ProjectService>().CreateAsync(demo, organization.Value.Id, new ProjectInput("demo", "The sample application."));
        var environment = await services.GetRequiredService<EnvironmentService>()
            .CreateAsync(demo, project.Value.Id, new EnvironmentInput("development", EnvironmentMode.Development, null));
        if (!string.IsNullOrWhiteSpace(sampleRepository))
        {
            var application = await services.GetRequiredService<ApplicationService>().CreateAsync(demo, environment.Value.Id, new ApplicationInput(
                "hello",
                new GitSourceInput(sampleRepository, "main", "/"),
                null,
                "python3 app.py",
                8080,
                0.25,
                128,
                1,
                2,
                false,
                new HealthchecksInput(new ProbeInput(ProbeType.Http, "/health", null, 0, 2, 2, 5), null)));
            if (!application.IsSuccess)
            {
                logger.LogWarning("The sample application could not be added: {Reason}", application.Error!.Message);
            }
        }

        logger.LogInformation("Created the demo organization with the sample application");
    }
}
