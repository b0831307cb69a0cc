using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Platform.Domain.Users;

namespace Platform.Portal.Users;

/// <summary>Portal account actions that are plain form posts rather than pages.</summary>
public static class AccountEndpoints
{
    public const string SignInPath = "/account/signin";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/signout", SignOutAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IAntiforgery antiforgery, SignInManager<PlatformUser> signIn)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return TypedResults.BadRequest();
        }

        await signIn.SignOutAsync();
        return TypedResults.LocalRedirect(SignInPath);
    }
}
