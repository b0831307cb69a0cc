namespace Platform.Portal.Infrastructure.Auth;

public static class Policies
{
    /// <summary>Every /api endpoint unless it says otherwise: a valid API token.</summary>
    public const string Api = "api";

    /// <summary>Instance-wide tools such as the job dashboard.</summary>
    public const string PlatformAdmin = "platform-admin";

    /// <summary>The live hub: the portal's cookie or an API token, for browsers and third parties alike.</summary>
    public const string Live = "live";
}
