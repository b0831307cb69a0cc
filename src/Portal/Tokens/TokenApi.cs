using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Domain.Members;
using Platform.Domain.Tokens;
using Platform.Portal.Infrastructure.Auth;
using Platform.Portal.Infrastructure.Problems;

namespace Platform.Portal.Tokens;

public static class TokenApi
{
    public sealed record OrganizationTokenRequest(string? Name, OrganizationRole? Role, DateTimeOffset? ExpiresAt);

    /// <summary>A new token: the only answer that ever holds its secret.</summary>
    public sealed record IssuedTokenResponse(Guid Id, string Name, OrganizationRole? Role, string Token, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

    public sealed record TokenResponse(
        Guid Id,
        string Name,
        OrganizationRole? Role,
        string CreatedBy,
        DateTimeOffset CreatedAt,
        DateTimeOffset? ExpiresAt,
        DateTimeOffset? LastUsedAt);

    public static RouteGroupBuilder MapTokenApi(this RouteGroupBuilder api)
    {
        api.MapGet("/organization/{id:guid}/apiToken", ListAsync).WithTags("API token").WithSummary("The organization's API tokens (never their secrets)");
        api.MapPost("/organization/{id:guid}/apiToken", CreateAsync).WithTags("API token")
            .WithSummary("Create an organization token acting with a role; the secret is shown once");
        api.MapDelete("/apiToken/{id:guid}", RevokeAsync).WithTags("API token").WithSummary("Revoke an organization token or one's own personal token");
        return api;
    }

    public static IssuedTokenResponse ToResponse(IssuedToken t) => new(t.Id, t.Name, t.Role, t.Token, t.CreatedAt, t.ExpiresAt);

    private static async Task<Results<Ok<ListResponse<TokenResponse>>, ProblemHttpResult>> ListAsync(Guid id, ClaimsPrincipal user, ApiTokenService tokens) =>
        (await tokens.ListOrganizationTokensAsync(user.ToCaller(), id)).ToOk(list => new ListResponse<TokenResponse>(
            list.Select(t => new TokenResponse(t.Id, t.Name, t.Role, t.CreatedBy, t.CreatedAt, t.ExpiresAt, t.LastUsedAt)).ToList()));

    private static async Task<Results<Created<IssuedTokenResponse>, ProblemHttpResult>> CreateAsync(
        Guid id, OrganizationTokenRequest request, ClaimsPrincipal user, ApiTokenService tokens) =>
        (await tokens.CreateOrganizationTokenAsync(user.ToCaller(), id, request.Name, request.Role, request.ExpiresAt)).ToCreated(ToResponse);

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(Guid id, ClaimsPrincipal user, ApiTokenService tokens) =>
        (await tokens.RevokeAsync(user.ToCaller(), id)).ToNoContent();
}
