using Platform.Domain.Members;
using Platform.Domain.Tokens;

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
        var group = api.MapGroup("").WithTags("API token");
        group.MapGet("/organization/{id:guid}/apiToken", ListAsync).Describe("listOrganizationApiTokens", "The organization's API tokens (never their secrets)").NeedsRole();
        group.MapPost("/organization/{id:guid}/apiToken", CreateAsync).Describe("createOrganizationApiToken", "Create an organization token acting with a role; the secret is shown once");
        group.MapDelete("/apiToken/{id:guid}", RevokeAsync).Describe("revokeApiToken", "Revoke an organization token or one's own personal token");
        return group;
    }

    public static IssuedTokenResponse ToResponse(IssuedToken t) => new(t.Id, t.Name, t.Role, t.Token, t.CreatedAt, t.ExpiresAt);

    private static async Task<Results<Ok<ListResponse<TokenResponse>>, ProblemHttpResult>> ListAsync(Guid id, ApiCaller caller, ApiTokenService tokens) =>
        (await tokens.ListOrganizationTokensAsync(caller, id)).ToOk(list => new ListResponse<TokenResponse>(
            list.Select(t => new TokenResponse(t.Id, t.Name, t.Role, t.CreatedBy, t.CreatedAt, t.ExpiresAt, t.LastUsedAt)).ToList()));

    private static async Task<Results<Created<IssuedTokenResponse>, ProblemHttpResult>> CreateAsync(
        Guid id, OrganizationTokenRequest request, ApiCaller caller, ApiTokenService tokens) =>
        (await tokens.CreateOrganizationTokenAsync(caller, id, request.Name, request.Role, request.ExpiresAt)).ToCreated(ToResponse);

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(Guid id, ApiCaller caller, ApiTokenService tokens) =>
        (await tokens.RevokeAsync(caller, id)).ToNoContent();
}
