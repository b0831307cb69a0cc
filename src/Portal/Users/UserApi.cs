using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Mvc;
using Platform.Domain.Common;
using Platform.Domain.Tokens;
using Platform.Domain.Users;
using Platform.Portal.Infrastructure;
using Platform.Portal.Infrastructure.RateLimits;
using Platform.Portal.Tokens;

namespace Platform.Portal.Users;

public static class UserApi
{
    /// <param name="ReferralCode">The code from a referral link, if the person came through one.</param>
    public sealed record RegisterRequest(string? Email, string? Password, string? FirstName, string? LastName, string? ReferralCode);

    public sealed record TokenRequest(string? Email, string? Password, string? Name);

    public sealed record UserResponse(
        Guid Id,
        string Email,
        string FirstName,
        string LastName,
        string Name,
        string? ProfilePictureUrl,
        DateTimeOffset CreatedAt);

    public static RouteGroupBuilder MapUserApi(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("").WithTags("Authentication").AllowAnonymous();
        auth.MapPost("/auth/register", RegisterAsync)
            .RequireRateLimiting(RateLimitPolicies.SignUp)
            .Describe("registerUser", "Create an account")
            .WithDescription("Creates a user who can then sign in to the portal or ask for an API token. An address that "
                + "already has an account gets the same answer (an id that is never stored), and its owner an email.");
        auth.MapPost("/auth/token", IssueTokenAsync)
            .RequireRateLimiting(RateLimitPolicies.SignIn)
            .Describe("createAuthToken", "Exchange an email and password for a personal API token")
            .WithDescription("The token is shown once in this answer; only its hash is stored. Send it as `Authorization: Bearer <token>`.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        var user = api.MapGroup("").WithTags("User");
        user.MapGet("/user", GetCurrentUserAsync).Describe("getCurrentUser", "The caller's profile").NeedsRole();
        return user;
    }

    private static async Task<Results<Created<UserResponse>, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request, [FromServices] IServer server, UserService users, PortalLinks links)
    {
        var registered = await users.RegisterAsync(
            new RegisterUser(request.Email, request.Password, request.FirstName, request.LastName, request.ReferralCode), links.ForMail(server));
        return registered.IsSuccess
            ? TypedResults.Created("/api/user", ToResponse(registered.Value))
            : registered.Error!.ToProblem();
    }

    private static async Task<Results<Created<TokenApi.IssuedTokenResponse>, ProblemHttpResult>> IssueTokenAsync(TokenRequest request, ApiTokenService tokens) =>
        (await tokens.IssuePersonalTokenAsync(request.Email, request.Password, request.Name)).ToCreated(TokenApi.ToResponse);

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetCurrentUserAsync(ApiCaller caller, UserService users)
    {
        var who = caller.ToCaller();
        if (who.IsOrganizationToken)
        {
            return DomainError.Forbidden("An organization API token acts for its organization, not for a user: use a personal token.").ToProblem();
        }

        var user = await users.FindAsync(who.UserId);
        return user is null ? DomainError.NotFound("The user").ToProblem() : TypedResults.Ok(ToResponse(user));
    }

    private static UserResponse ToResponse(UserProfile user) =>
        new(user.Id, user.Email, user.FirstName, user.LastName, user.Name, ProfilePictureUrl: null, user.CreatedAt);
}
