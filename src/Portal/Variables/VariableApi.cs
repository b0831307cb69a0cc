using Platform.Domain.Variables;

namespace Platform.Portal.Variables;

public static class VariableApi
{
    public sealed record VariableResponse(Guid Id, string Key, string Value, VariableScope Scope, VariableScope? OverriddenScope);

    public sealed record SecretResponse(Guid Id, string Key, VariableScope Scope, string? Description, VariableScope? OverriddenScope);

    public sealed record ImportRequest(string? Content, bool? Overwrite);

    public sealed record ImportResponse(IReadOnlyList<string> Created, IReadOnlyList<string> Updated, IReadOnlyList<string> Skipped, IReadOnlyList<ImportLineError> Errors);

    public static RouteGroupBuilder MapVariableApi(this RouteGroupBuilder api)
    {
        // A holder's variables and secrets are listed with the holder as well; one variable or secret under its own kind.
        var group = api.MapGroup("");
        group.MapGet("/organization/{id:guid}/environmentVariable", ListVariables(VariableScope.Organization))
            .WithTags("Environment variable", "Secret", "Organization").WithSummary("The organization's effective variables, each with the scope it comes from");
        group.MapPost("/organization/{id:guid}/environmentVariable", Create(VariableScope.Organization, secret: false))
            .WithTags("Environment variable", "Secret", "Organization").WithSummary("Set a variable on the organization");
        group.MapPost("/organization/{id:guid}/environmentVariable/import", Import(VariableScope.Organization))
            .WithTags("Environment variable", "Secret", "Organization").WithSummary("Import .env text: created, changed (with overwrite) and skipped keys, errors per line");
        group.MapGet("/organization/{id:guid}/secret", ListSecrets(VariableScope.Organization))
            .WithTags("Environment variable", "Secret", "Organization").WithSummary("The organization's effective secrets, never their values");
        group.MapPost("/organization/{id:guid}/secret", Create(VariableScope.Organization, secret: true))
            .WithTags("Environment variable", "Secret", "Organization").WithSummary("Set a secret on the organization: write-only, encrypted at rest");

        group.MapGet("/project/{id:guid}/environmentVariable", ListVariables(VariableScope.Project))
            .WithTags("Environment variable", "Secret", "Project").WithSummary("The project's effective variables, each with the scope it comes from");
        group.MapPost("/project/{id:guid}/environmentVariable", Create(VariableScope.Project, secret: false))
            .WithTags("Environment variable", "Secret", "Project").WithSummary("Set a variable on the project");
        group.MapPost("/project/{id:guid}/environmentVariable/import", Import(VariableScope.Project))
            .WithTags("Environment variable", "Secret", "Project").WithSummary("Import .env text: created, changed (with overwrite) and skipped keys, errors per line");
        group.MapGet("/project/{id:guid}/secret", ListSecrets(VariableScope.Project))
            .WithTags("Environment variable", "Secret", "Project").WithSummary("The project's effective secrets, never their values");
        group.MapPost("/project/{id:guid}/secret", Create(VariableScope.Project, secret: true))
            .WithTags("Environment variable", "Secret", "Project").WithSummary("Set a secret on the project: write-only, encrypted at rest");

        group.MapGet("/environment/{id:guid}/environmentVariable", ListVariables(VariableScope.Environment))
            .WithTags("Environment variable", "Secret", "Environment").WithSummary("The environment's effective variables, each with the scope it comes from");
        group.MapPost("/environment/{id:guid}/environmentVariable", Create(VariableScope.Environment, secret: false))
            .WithTags("Environment variable", "Secret", "Environment").WithSummary("Set a variable on the environment");
        group.MapPost("/environment/{id:guid}/environmentVariable/import", Import(VariableScope.Environment))
            .WithTags("Environment variable", "Secret", "Environment").WithSummary("Import .env text: created, changed (with overwrite) and skipped keys, errors per line");
        group.MapGet("/environment/{id:guid}/secret", ListSecrets(VariableScope.Environment))
            .WithTags("Environment variable", "Secret", "Environment").WithSummary("The environment's effective secrets, never their values");
        group.MapPost("/environment/{id:guid}/secret", Create(VariableScope.Environment, secret: true))
            .WithTags("Environment variable", "Secret", "Environment").WithSummary("Set a secret on the environment: write-only, encrypted at rest");

        group.MapGet("/application/{id:guid}/environmentVariable", ListVariables(VariableScope.Application))
            .WithTags("Environment variable", "Secret", "Application").WithSummary("The application's effective variables, each with the scope it comes from");
        group.MapPost("/application/{id:guid}/environmentVariable", Create(VariableScope.Application, secret: false))
            .WithTags("Environment variable", "Secret", "Application").WithSummary("Set a variable on the application");
        group.MapPost("/application/{id:guid}/environmentVariable/import", Import(VariableScope.Application))
            .WithTags("Environment variable", "Secret", "Application").WithSummary("Import .env text: created, changed (with overwrite) and skipped keys, errors per line");
        group.MapGet("/application/{id:guid}/secret", ListSecrets(VariableScope.Application))
            .WithTags("Environment variable", "Secret", "Application").WithSummary("The application's effective secrets, never their values");
        group.MapPost("/application/{id:guid}/secret", Create(VariableScope.Application, secret: true))
            .WithTags("Environment variable", "Secret", "Application").WithSummary("Set a secret on the application: write-only, encrypted at rest");

        group.MapPut("/environmentVariable/{id:guid}", (Guid id, VariableUpdate request, ApiCaller caller, VariableService variables) => UpdateAsync(id, request, secret: false, caller, variables))
            .WithTags("Environment variable").WithSummary("Change a variable's value (or key)");
        group.MapDelete("/environmentVariable/{id:guid}", (Guid id, ApiCaller caller, VariableService variables) => DeleteAsync(id, secret: false, caller, variables))
            .WithTags("Environment variable").WithSummary("Delete a variable");
        group.MapPut("/secret/{id:guid}", (Guid id, VariableUpdate request, ApiCaller caller, VariableService variables) => UpdateAsync(id, request, secret: true, caller, variables))
            .WithTags("Secret").WithSummary("Replace a secret's value (or change its key or description)");
        group.MapDelete("/secret/{id:guid}", (Guid id, ApiCaller caller, VariableService variables) => DeleteAsync(id, secret: true, caller, variables))
            .WithTags("Secret").WithSummary("Delete a secret");
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
