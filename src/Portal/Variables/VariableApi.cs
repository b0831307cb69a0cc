using Platform.Domain.Variables;

namespace Platform.Portal.Variables;

public static class VariableApi
{
    public sealed record VariableResponse(Guid Id, string Key, string Value, VariableScope Scope, VariableScope? OverriddenScope);

    public sealed record SecretResponse(Guid Id, string Key, VariableScope Scope, string? Description, VariableScope? OverriddenScope);

    public sealed record ImportRequest(string? Content, bool? Overwrite);

    public sealed record ImportResponse(IReadOnlyList<string> Created, IReadOnlyList<string> Updated, IReadOnlyList<string> Skipped, IReadOnlyList<ImportLineError> Errors);

    private static readonly (VariableScope Scope, string Holder, string Noun)[] Holders =
    [
        (VariableScope.Organization, "Organization", "organization"),
        (VariableScope.Project, "Project", "project"),
        (VariableScope.Environment, "Environment", "environment"),
        (VariableScope.Application, "Application", "application"),
    ];

    public static RouteGroupBuilder MapVariableApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("");
        // Each holder (organization, project, environment, application) has the same five operations.
        foreach (var (scope, holder, noun) in Holders)
        {
            var path = $"/{noun}/{{id:guid}}";
            group.MapGet($"{path}/environmentVariable", ListVariables(scope)).WithTags("Environment variable")
                .Describe($"list{holder}EnvironmentVariables", $"The {noun}'s effective variables, each with the scope it comes from");
            group.MapPost($"{path}/environmentVariable", Create(scope, secret: false)).WithTags("Environment variable")
                .Describe($"create{holder}EnvironmentVariable", $"Set a variable on the {noun}")
                .Produces<VariableResponse>(StatusCodes.Status201Created).MayConflict();
            group.MapPost($"{path}/environmentVariable/import", Import(scope)).WithTags("Environment variable")
                .Describe($"import{holder}EnvironmentVariables", "Import .env text: created, changed (with overwrite) and skipped keys, errors per line")
                .MayConflict();
            group.MapGet($"{path}/secret", ListSecrets(scope)).WithTags("Secret")
                .Describe($"list{holder}Secrets", $"The {noun}'s effective secrets, never their values");
            group.MapPost($"{path}/secret", Create(scope, secret: true)).WithTags("Secret")
                .Describe($"create{holder}Secret", $"Set a secret on the {noun}: write-only, encrypted at rest")
                .Produces<SecretResponse>(StatusCodes.Status201Created).MayConflict();
        }

        group.MapPut("/environmentVariable/{id:guid}", (Guid id, VariableUpdate request, ApiCaller caller, VariableService variables) => UpdateAsync(id, request, secret: false, caller, variables))
            .WithTags("Environment variable").Describe("updateEnvironmentVariable", "Change a variable's value (or key)")
            .Produces<VariableResponse>().MayConflict();
        group.MapDelete("/environmentVariable/{id:guid}", (Guid id, ApiCaller caller, VariableService variables) => DeleteAsync(id, secret: false, caller, variables))
            .WithTags("Environment variable").Describe("deleteEnvironmentVariable", "Delete a variable").MayConflict();
        group.MapPut("/secret/{id:guid}", (Guid id, VariableUpdate request, ApiCaller caller, VariableService variables) => UpdateAsync(id, request, secret: true, caller, variables))
            .WithTags("Secret").Describe("updateSecret", "Replace a secret's value (or change its key or description)")
            .Produces<SecretResponse>().MayConflict();
        group.MapDelete("/secret/{id:guid}", (Guid id, ApiCaller caller, VariableService variables) => DeleteAsync(id, secret: true, caller, variables))
            .WithTags("Secret").Describe("deleteSecret", "Delete a secret").MayConflict();
        return group;
    }

    // Handlers for one holder's scope; the route binds the holder's id.
    private static Delegate ListVariables(VariableScope scope) => async (Guid id, ApiCaller caller, VariableService variables) =>
        (await variables.ListAsync(caller, scope, id, secrets: false)).ToOk(list => new ListResponse<VariableResponse>(list.Select(ToVariable).ToList()));

    private static Delegate ListSecrets(VariableScope scope) => async (Guid id, ApiCaller caller, VariableService variables) =>
        (await variables.ListAsync(caller, scope, id, secrets: true)).ToOk(list => new ListResponse<SecretResponse>(list.Select(ToSecret).ToList()));

    private static Delegate Create(VariableScope scope, bool secret) => async Task<IResult> (Guid id, VariableInput request, ApiCaller caller, VariableService variables) =>
    {
        var created = await variables.CreateAsync(caller, scope, id, request, secret);
        return secret ? created.ToCreated(ToSecret) : created.ToCreated(ToVariable);
    };

    private static Delegate Import(VariableScope scope) => async (Guid id, ImportRequest request, ApiCaller caller, VariableService variables) =>
        (await variables.ImportAsync(caller, scope, id, request.Content, request.Overwrite ?? false))
            .ToOk(r => new ImportResponse(r.Created, r.Updated, r.Skipped, r.Errors));

    private static async Task<IResult> UpdateAsync(Guid id, VariableUpdate request, bool secret, ApiCaller caller, VariableService variables)
    {
        var updated = await variables.UpdateAsync(caller, id, request, secret);
        return secret ? updated.ToOk(ToSecret) : updated.ToOk(ToVariable);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, bool secret, ApiCaller caller, VariableService variables) =>
        (await variables.DeleteAsync(caller, id, secret)).ToNoContent();

    private static VariableResponse ToVariable(VariableView v) => new(v.Id, v.Key, v.Value ?? "", v.Scope, v.Overrides);

    private static SecretResponse ToSecret(VariableView v) => new(v.Id, v.Key, v.Scope, v.Description, v.Overrides);
}
