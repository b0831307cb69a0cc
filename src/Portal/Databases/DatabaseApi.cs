using Platform.Domain.Databases;
using Platform.Domain.Services;

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
        var group = api.MapGroup("").WithTags("Database");
        group.MapGet("/environment/{id:guid}/database", ListAsync).Describe("listDatabases", "The environment's databases");
        group.MapPost("/environment/{id:guid}/database", CreateAsync).Describe("createDatabase", "Add a PostgreSQL database").MayConflict();
        group.MapGet("/database/{id:guid}", GetAsync).Describe("getDatabase", "One database");
        group.MapPut("/database/{id:guid}", UpdateAsync).Describe("updateDatabase", "Change a database's settings; fields left out keep their value").MayConflict();
        group.MapDelete("/database/{id:guid}", DeleteAsync).Describe("deleteDatabase", "Delete a database").MayConflict();
        return group;
    }

    private static async Task<Results<Ok<ListResponse<DatabaseResponse>>, ProblemHttpResult>> ListAsync(Guid id, ApiCaller caller, DatabaseService databases) =>
        (await databases.ListAsync(caller, id)).ToOk(list => new ListResponse<DatabaseResponse>(list.Select(ToResponse).ToList()));

    private static async Task<Results<Created<DatabaseResponse>, ProblemHttpResult>> CreateAsync(Guid id, DatabaseInput request, ApiCaller caller, DatabaseService databases) =>
        (await databases.CreateAsync(caller, id, request)).ToCreated(ToResponse, d => $"/api/database/{d.Id}");

    private static async Task<Results<Ok<DatabaseResponse>, ProblemHttpResult>> GetAsync(Guid id, ApiCaller caller, DatabaseService databases) =>
        (await databases.GetAsync(caller, id)).ToOk(ToResponse);

    private static async Task<Results<Ok<DatabaseResponse>, ProblemHttpResult>> UpdateAsync(Guid id, DatabaseInput request, ApiCaller caller, DatabaseService databases) =>
        (await databases.UpdateAsync(caller, id, request)).ToOk(ToResponse);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ApiCaller caller, DatabaseService databases) =>
        (await databases.DeleteAsync(caller, id)).ToNoContent();

    private static DatabaseResponse ToResponse(DatabaseView d) =>
        new(d.Id, d.CreatedAt, d.UpdatedAt, d.EnvironmentId, d.Name, d.Type, d.Version, d.Mode, d.Storage, d.Status);
}
