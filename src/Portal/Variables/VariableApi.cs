using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Domain.Variables;
using Platform.Portal.Infrastructure.Auth;
using Platform.Portal.Infrastructure.Problems;

namespace Platform.Portal.Variables;

public static class VariableApi
{
    public sealed record VariableResponse(Guid Id, string Key, string Value, VariableScope Scope, VariableScope? OverriddenScope);

    public sealed record SecretResponse(Guid Id, string Key, VariableScope Scope, string? Description, VariableScope? OverriddenScope);

    public sealed record ImportRequest(string? Content, bool? Overwrite);

    public sealed record ImportResponse(IReadOnlyList<string> Created, IReadOnlyList<string> Updated, IReadOnlyList<string> Skipped, IReadOnlyList<ImportLineError> Errors);

    private static readonly (string Path, VariableScope Scope, string Tag)[] Holders =
    [
        ("organization", VariableScope.Organization, "Organization"),
        ("project", VariableScope.Project, "Project"),
        ("environment", VariableScope.Environment, "Environment"),
        ("application", VariableScope.Application, "Application"),
    ];

    public static RouteGroupBuilder MapVariableApi(this RouteGroupBuilder api)
    {
        foreach (var (path, scope, tag) in Holders)
        {
            var holder = api.MapGroup($"/{path}/{{id:guid}}").WithTags("Environment variable", "Secret", tag);
            holder.MapGet("/environmentVariable", (Guid id, ClaimsPrincipal user, VariableService variables) => ListVariablesAsync(scope, id, user, variables))
                .WithSummary($"The {tag.ToLowerInvariant()}'s effective variables, each with the scope it comes from");
            holder.MapPost("/environmentVariable", (Guid id, VariableInput request, ClaimsPrincipal user, VariableService variables) => CreateAsync(scope, id, request, secret: false, user, variables))
                .WithSummary($"Set a variable on the {tag.ToLowerInvariant()}");
            holder.MapPost("/environmentVariable/import", (Guid id, ImportRequest request, ClaimsPrincipal user, VariableService variables) => ImportAsync(scope, id, request, user, variables))
                .WithSummary("Import .env text: created, changed (with overwrite) and skipped keys, errors per line");
            holder.MapGet("/secret", (Guid id, ClaimsPrincipal user, VariableService variables) => ListSecretsAsync(scope, id, user, variables))
                .WithSummary($"The {tag.ToLowerInvariant()}'s effective secrets, never their values");
            holder.MapPost("/secret", (Guid id, VariableInput request, ClaimsPrincipal user, VariableService variables) => CreateAsync(scope, id, request, secret: true, user, variables))
                .WithSummary($"Set a secret on the {tag.ToLowerInvariant()}: write-only, encrypted at rest");
        }

        api.MapPut("/environmentVariable/{id:guid}", (Guid id, VariableUpdate request, ClaimsPrincipal user, VariableService variables) => UpdateAsync(id, request, secret: false, user, variables))
            .WithTags("Environment variable").WithSummary("Change a variable's value (or key)");
        api.MapDelete("/environmentVariable/{id:guid}", (Guid id, ClaimsPrincipal user, VariableService variables) => DeleteAsync(id, secret: false, user, variables))
            .WithTags("Environment variable").WithSummary("Delete a variable");
        api.MapPut("/secret/{id:guid}", (Guid id, VariableUpdate request, ClaimsPrincipal user, VariableService variables) => UpdateAsync(id, request, secret: true, user, variables))
            .WithTags("Secret").WithSummary("Replace a secret's value (or change its key or description)");
        api.MapDelete("/secret/{id:guid}", (Guid id, ClaimsPrincipal user, VariableService variables) => DeleteAsync(id, secret: true, user, variables))
            .WithTags("Secret").WithSummary("Delete a secret");
        return api;
    }

    private static async Task<Results<Ok<ListResponse<VariableResponse>>, ProblemHttpResult>> ListVariablesAsync(
        VariableScope scope, Guid id, ClaimsPrincipal user, VariableService variables) =>
        (await variables.ListAsync(user.ToCaller(), scope, id, secrets: false)).ToOk(list => new ListResponse<VariableResponse>(list.Select(ToVariable).ToList()));

    private static async Task<Results<Ok<ListResponse<SecretResponse>>, ProblemHttpResult>> ListSecretsAsync(
        VariableScope scope, Guid id, ClaimsPrincipal user, VariableService variables) =>
        (await variables.ListAsync(user.ToCaller(), scope, id, secrets: true)).ToOk(list => new ListResponse<SecretResponse>(list.Select(ToSecret).ToList()));

    private static async Task<IResult> CreateAsync(VariableScope scope, Guid id, VariableInput request, bool secret, ClaimsPrincipal user, VariableService variables)
    {
        var created = await variables.CreateAsync(user.ToCaller(), scope, id, request, secret);
        return secret ? created.ToCreated(ToSecret) : created.ToCreated(ToVariable);
    }

    private static async Task<IResult> UpdateAsync(Guid id, VariableUpdate request, bool secret, ClaimsPrincipal user, VariableService variables)
    {
        var updated = await variables.UpdateAsync(user.ToCaller(), id, request, secret);
        return secret ? updated.ToOk(ToSecret) : updated.ToOk(ToVariable);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, bool secret, ClaimsPrincipal user, VariableService variables) =>
        (await variables.DeleteAsync(user.ToCaller(), id, secret)).ToNoContent();

    private static async Task<Results<Ok<ImportResponse>, ProblemHttpResult>> ImportAsync(
        VariableScope scope, Guid id, ImportRequest request, ClaimsPrincipal user, VariableService variables) =>
        (await variables.ImportAsync(user.ToCaller(), scope, id, request.Content, request.Overwrite ?? false))
            .ToOk(r => new ImportResponse(r.Created, r.Updated, r.Skipped, r.Errors));

    private static VariableResponse ToVariable(VariableView v) => new(v.Id, v.Key, v.Value ?? "", v.Scope, v.Overrides);

    private static SecretResponse ToSecret(VariableView v) => new(v.Id, v.Key, v.Scope, v.Description, v.Overrides);
}
