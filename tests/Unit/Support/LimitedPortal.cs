using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Tokens;
using Platform.Domain.Users;

namespace Platform.Tests.Support;

/// <summary>
/// A portal whose given rate limits are low (every other one stays raised, as in every test portal), for the
/// tests of those limits. Windows are long, so a limit reached stays reached for the whole class; tests that need
/// a fresh budget of a per-address limit connect from an address of their own (<see cref="PortalFactory.CreateClientFrom"/>).
/// </summary>
public abstract class LimitedPortal(IReadOnlyDictionary<string, int> permitLimits) : IAsyncLifetime
{
    public const int WindowSeconds = 600;

    public PortalFactory Portal { get; } = PortalFactory.With(permitLimits
        .SelectMany(l => new[]
        {
            KeyValuePair.Create($"RateLimits:{l.Key}:PermitLimit", (string?)l.Value.ToString(CultureInfo.InvariantCulture)),
            KeyValuePair.Create($"RateLimits:{l.Key}:WindowSeconds", (string?)WindowSeconds.ToString(CultureInfo.InvariantCulture)),
        })
        .ToDictionary());

    public Task InitializeAsync() => Portal.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)Portal).DisposeAsync();

    /// <summary>Creates an account in-process, so that no request counts towards a limit.</summary>
    public async Task<TestUser> CreateUserAsync(string firstName = "Ada")
    {
        var user = ApiSessions.NewUser(firstName);
        await using var scope = Portal.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<UserService>()
            .RegisterAsync(new RegisterUser(user.Email, user.Password, user.FirstName, user.LastName));
        return created.IsSuccess ? user : throw new InvalidOperationException(created.Error!.Message);
    }

    /// <summary>Issues a personal token in-process, so that no request counts towards a limit.</summary>
    public async Task<string> IssueTokenAsync(TestUser user)
    {
        await using var scope = Portal.Services.CreateAsyncScope();
        var issued = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().IssuePersonalTokenAsync(user.Email, user.Password, "limits");
        return issued.IsSuccess ? issued.Value.Token : throw new InvalidOperationException(issued.Error!.Message);
    }
}
