using Platform.Domain.Access;

namespace Platform.Portal.Infrastructure.Auth;

/// <summary>
/// The domain's <see cref="Caller"/> of an API request, bound once from the request's identity: a handler takes an
/// <c>ApiCaller caller</c> parameter and passes it wherever a service asks for the Caller. Pages, whose circuits
/// outlive a request, use <see cref="CurrentCaller"/>.
/// </summary>
public sealed class ApiCaller
{
    private readonly Caller _caller;

    private ApiCaller(Caller caller) => _caller = caller;

    /// <summary>Minimal APIs' binding hook; every route that takes one requires an authenticated caller.</summary>
    public static ValueTask<ApiCaller?> BindAsync(HttpContext context) => ValueTask.FromResult<ApiCaller?>(new(context.User.ToCaller()));

    public Caller ToCaller() => _caller;

    public static implicit operator Caller(ApiCaller caller) => caller._caller;
}
