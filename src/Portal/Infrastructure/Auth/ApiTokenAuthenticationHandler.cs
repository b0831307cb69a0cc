using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Platform.Domain.Tokens;

namespace Platform.Portal.Infrastructure.Auth;

/// <summary>Reads `Authorization: Bearer &lt;token&gt;` or `Authorization: Token &lt;token&gt;` and answers 401/403 as problem details.</summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiTokenService tokens,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiToken";

    /// <summary>The only path that accepts a token in the query string (access_token).</summary>
    public const string LiveHubPath = "/hubs/live";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) && Request.Path.StartsWithSegments(LiveHubPath) && Request.Query["access_token"] is [{ Length: > 0 } queryToken])
        {
            // Browsers cannot set headers on a WebSocket: SignalR clients send the token in the query instead.
            header = $"Bearer {queryToken}";
        }

        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        var space = header.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space > 0 ? header[..space] : "";
        if (!scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("Token", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Use Authorization: Bearer <token> or Authorization: Token <token>.");
        }

        var identity = await tokens.AuthenticateAsync(header[(space + 1)..].Trim(), Context.RequestAborted);
        if (identity is null)
        {
            return AuthenticateResult.Fail("The token is unknown, revoked or expired.");
        }

        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, identity.UserId.ToString()),
            new(ClaimTypes.Name, identity.Email),
            new(ClaimTypes.Email, identity.Email),
            new(PlatformClaims.DisplayName, identity.Name),
            new(PlatformClaims.TokenId, identity.TokenId.ToString()),
            new(PlatformClaims.PlatformAdmin, identity.IsPlatformAdmin ? "true" : "false"),
        ];
        if (identity.OrganizationId is { } organization)
        {
            claims.Add(new Claim(PlatformClaims.TokenOrganization, organization.ToString()));
            claims.Add(new Claim(PlatformClaims.TokenRole, identity.Role!.Value.ToString()));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await WriteProblemAsync(new ProblemDetails
        {
            Status = StatusCodes.Status401Unauthorized,
            Detail = result.Failure?.Message ?? "Authentication is required: send Authorization: Bearer <token>.",
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await WriteProblemAsync(new ProblemDetails
        {
            Status = StatusCodes.Status403Forbidden,
            Detail = "Your role does not allow this action.",
        });
    }

    private async Task WriteProblemAsync(ProblemDetails problem) =>
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem });
}
