using Platform.Domain.Users;

namespace Platform.Portal.Infrastructure;

/// <summary>
/// What ./run.sh asks for so a newcomer has something to sign in with: a demo user, made once, whose
/// credentials run.sh keeps in the data folder and prints. Nothing happens unless Demo:Email is set.
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
        if (await users.FindByEmailAsync(email) is not null)
        {
            return;
        }

        var created = await users.RegisterAsync(new RegisterUser(email, password, "Demo", "User"), isPlatformAdmin: true);
        if (created.IsSuccess)
        {
            logger.LogInformation("Created the demo user {Email}", email);
        }
        else
        {
            logger.LogWarning("The demo user {Email} could not be created: {Reason}", email, created.Error!.Message);
        }
    }
}
