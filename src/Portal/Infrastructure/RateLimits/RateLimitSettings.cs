using System.Threading.RateLimiting;

namespace Platform.Portal.Infrastructure.RateLimits;

/// <summary>
/// The limits, from the configuration section <c>RateLimits</c> (environment: <c>RateLimits__SignIn__PermitLimit</c>).
/// Each is a fixed window: at most <see cref="RateLimitRule.PermitLimit"/> requests per
/// <see cref="RateLimitRule.WindowSeconds"/> seconds per client address, or per API token for <see cref="Api"/>.
/// </summary>
public sealed class RateLimitSettings
{
    public const string Section = "RateLimits";

    /// <summary>Sign-in form posts and <c>POST /api/auth/token</c>, together: password guesses.</summary>
    public RateLimitRule SignIn { get; set; } = new() { PermitLimit = 10, WindowSeconds = 60 };

    /// <summary>Sign-up form posts and <c>POST /api/auth/register</c>, together.</summary>
    public RateLimitRule SignUp { get; set; } = new() { PermitLimit = 5, WindowSeconds = 300 };

    /// <summary>The invitation page (each visit: it checks a link's secret) and <c>POST …/accept</c>.</summary>
    public RateLimitRule Invitation { get; set; } = new() { PermitLimit = 10, WindowSeconds = 60 };

    /// <summary>Every <c>/api</c> request, per API token; callers without a valid token per address.</summary>
    public RateLimitRule Api { get; set; } = new() { PermitLimit = 600, WindowSeconds = 60 };

    public IEnumerable<(string Name, RateLimitRule Rule)> Rules =>
        [(nameof(SignIn), SignIn), (nameof(SignUp), SignUp), (nameof(Invitation), Invitation), (nameof(Api), Api)];
}

public sealed class RateLimitRule
{
    public int PermitLimit { get; set; }

    public int WindowSeconds { get; set; }

    public bool IsValid => PermitLimit > 0 && WindowSeconds > 0;

    public FixedWindowRateLimiterOptions ToOptions() => new()
    {
        PermitLimit = PermitLimit,
        Window = TimeSpan.FromSeconds(WindowSeconds),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
