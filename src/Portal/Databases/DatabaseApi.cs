using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Domain.Databases;
using Platform.Domain.Services;
using Platform.Portal.Infrastructure.Auth;
using Platform.Portal.Infrastructure.Problems;

namespace Platform.Portal.Databases;

public static class DatabaseApi
{
    public sealed record DatabaseResponse(
        Guid Id,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt,
        Guid EnvironmentId,
        string Name,
        DatabaseType Type,
        string Version,
        DatabaseMode Mode,
        int Storage,
        ServiceStatus Status);

    public static RouteGroupBuilder MapDatabaseApi(this RouteGroupBuilder api)
    {
        var tags = new[] { "Database" };
        api.MapGet("/environment/{id:guid}/database", ListAsync).WithTags(tags).WithSummary("The environment's databases");
        api.MapPost("/environment/{id:guid}/database", CreateAsync).WithTags(tags).WithSummary("Add a PostgreSQL database");
        api.MapGet("/database/{id:guid}", GetAsync).WithTags(tags).WithSummary("One database");
        api.MapPut("/database/{id:guid}", UpdateAsync).WithTags(tags).WithSummary("Change a database's settings; fields left out keep their value");
        api.MapDelete("/database/{id:guid}", DeleteAsync).WithTags(tags).WithSummary("Delete a database");
        return api;
    }

    private static async Task<Results<Ok<ListResponse<DatabaseResponse>>, ProblemHttpResult>> ListAsync(Guid id, ClaimsPrincipal user, DatabaseService databases) =>
        (await databases.ListAsync(user.ToCaller(), id)).ToOk(list => new ListResponse<DatabaseResponse>(list.Select(ToResponse).ToList()));

    private static async Task<Results<Created<DatabaseResponse>, ProblemHttpResult>> CreateAsync(Guid id, DatabaseInput request, ClaimsPrincipal user, DatabaseService databases) =>
        (await databases.CreateAsync(user.ToCaller(), id, request)).ToCreated(ToResponse, d => $"/api/database/{d.Id}");

    private static async Task<Results<Ok<DatabaseResponse>, ProblemHttpResult>> GetAsync(Guid id, ClaimsPrincipal user, DatabaseService databases) =>
        (await databases.GetAsync(user.ToCaller(), id)).ToOk(ToResponse);

    private static async Task<Results<Ok<DatabaseResponse>, ProblemHttpResult>> UpdateAsync(Guid id, DatabaseInput request, ClaimsPrincipal user, DatabaseService databases) =>
        (await databases.UpdateAsync(user.ToCaller(), id, request)).ToOk(ToResponse);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ClaimsPrincipal user, DatabaseService databases) =>
        (await databases.DeleteAsync(user.ToCaller(), id)).ToNoContent();

    private static DatabaseResponse ToResponse(DatabaseView d) =>
        new(d.Id, d.CreatedAt, d.UpdatedAt, d.EnvironmentId, d.Name, d.Type, d.Version, d.Mode, d.Storage, d.Status);
}
