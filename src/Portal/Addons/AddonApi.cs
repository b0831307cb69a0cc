using Platform.Domain.Addons;

namespace Platform.Portal.Addons;

/// <summary>The addon catalogue of a project: list, install, change, uninstall, the delivery log and a test notification (PRODUCT.md section 10).</summary>
public static class AddonApi
{
    public sealed record TestResponse(Guid Id);

    public static RouteGroupBuilder MapAddonApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/project/{id:guid}/addon").WithTags("Addon");
        group.MapGet("", ListAsync)
            .Describe("listProjectAddons", "The catalogue (Slack, Webhook, Email), each with is_installed, its regex and its settings, secret ones masked");
        group.MapGet("/matchingEnvironments", MatchAsync)
            .Describe("listAddonMatchingEnvironments", "The project's environments and whether a regex selects each")
            .WithDescription("Takes `regex` in the query (`.*` when left out); a regex that does not compile or backtracks catastrophically answers 400 on `matching_environments_regex`.")
            .WithQuery(QueryParameter.Text("regex", "The regex to try (`.*` when left out).", ProjectAddon.MaxRegexLength));
        group.MapPost("/{name}", InstallAsync)
            .Describe("installProjectAddon", "Install an addon (OWNER or ADMIN); 409 when it is installed already")
            .WithDescription("`name` is Slack, Webhook or Email, in any case. `matching_environments_regex` defaults to `.*`. "
                + "Errors name their field (`settings.webhook_url`, `matching_environments_regex`, …).")
            .MayConflict();
        group.MapPut("/{name}", ChangeAsync)
            .Describe("updateProjectAddon", "Change an installed addon's regex or settings (OWNER or ADMIN)")
            .WithDescription("A setting left out or null keeps its value, so secret settings need not be sent again; a null regex keeps it.");
        group.MapDelete("/{name}", UninstallAsync)
            .Describe("uninstallProjectAddon", "Uninstall an addon (OWNER or ADMIN); its delivery log stays with the project");
        group.MapGet("/{name}/delivery", DeliveriesAsync)
            .Describe("listProjectAddonDeliveries", "The addon's delivery log, newest first (tail, page) or after lastId").WithHistoryQuery();
        group.MapPost("/{name}/test", TestAsync)
            .Describe("testProjectAddon", "Send a TEST notification through the real delivery path (OWNER or ADMIN); answers 202 with the delivery's id");
        return group;
    }

    private static async Task<Results<Ok<ListResponse<AddonView>>, ProblemHttpResult>> ListAsync(Guid id, ApiCaller caller, AddonService addons) =>
        (await addons.ListAsync(caller, id)).ToOk(list => new ListResponse<AddonView>(list));

    private static async Task<Results<Ok<ListResponse<EnvironmentMatch>>, ProblemHttpResult>> MatchAsync(Guid id, HttpRequest http, ApiCaller caller, AddonService addons) =>
        (await addons.MatchEnvironmentsAsync(caller, id, http.Query["regex"].FirstOrDefault())).ToOk(list => new ListResponse<EnvironmentMatch>(list));

    private static async Task<Results<Created<AddonView>, ProblemHttpResult>> InstallAsync(Guid id, string name, AddonRequest request, ApiCaller caller, AddonService addons) =>
        (await addons.InstallAsync(caller, id, name, request)).ToCreated(a => a, a => $"/api/project/{id}/addon/{a.Name}");

    private static async Task<Results<Ok<AddonView>, ProblemHttpResult>> ChangeAsync(Guid id, string name, AddonRequest request, ApiCaller caller, AddonService addons) =>
        (await addons.ChangeAsync(caller, id, name, request)).ToOk(a => a);

    private static async Task<Results<NoContent, ProblemHttpResult>> UninstallAsync(Guid id, string name, ApiCaller caller, AddonService addons) =>
        (await addons.UninstallAsync(caller, id, name)).ToNoContent();

    private static Task<Results<Ok<HistoryResponse<AddonDeliveryView>>, Ok<ListResponse<AddonDeliveryView>>, ProblemHttpResult>> DeliveriesAsync(
        Guid id, string name, HttpRequest http, ApiCaller caller, AddonService addons) =>
        HistoryResults.ListAsync(http, query => addons.DeliveriesAsync(caller, id, name, query), d => d);

    private static async Task<Results<Accepted<TestResponse>, ProblemHttpResult>> TestAsync(Guid id, string name, ApiCaller caller, AddonService addons) =>
        (await addons.SendTestAsync(caller, id, name)).ToAccepted(deliveryId => new TestResponse(deliveryId));
}
