using Platform.Domain.Applications;
using Platform.Domain.Metrics;
using Platform.Domain.Services;

namespace Platform.Portal.Applications;

public static class ApplicationApi
{
    /// <param name="Flags">The draft's flags: GIT_CONNECTION_ERROR, UPDATE_AVAILABLE, RESTART_NEEDED.</param>
    /// <param name="FlagDetails">
    /// Each flag with what it means for this application: the reason the repository could not be reached, the branch's
    /// new commit (also in commit_id, to deploy it), or what a restart would apply.
    /// </param>
    /// <param name="RepositoryCheck">What the last repository check found: when, the branch's head, and the reason it failed (null when it did not).</param>
    public sealed record ApplicationResponse(
        Guid Id,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt,
        Guid EnvironmentId,
        string Name,
        GitSource GitRepository,
        string? BuildCommand,
        string StartCommand,
        int Port,
        double Cpu,
        int Memory,
        int MinRunningInstances,
        int MaxRunningInstances,
        bool AutoDeploy,
        Healthchecks Healthchecks,
        int? Storage,
        MetricThresholds MetricThresholds,
        ServiceStatus Status,
        IReadOnlyList<string> Flags,
        IReadOnlyList<FlagDetail> FlagDetails,
        RepositoryCheck RepositoryCheck,
        Uri? Url);

    public static RouteGroupBuilder MapApplicationApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("").WithTags("Application");
        group.MapGet("/environment/{id:guid}/application", ListAsync).Describe("listApplications", "The environment's applications, with their flags");
        group.MapPost("/environment/{id:guid}/application", CreateAsync).Describe("createApplication", "Add an application deployed from git").MayConflict();
        group.MapGet("/application/{id:guid}", GetAsync).Describe("getApplication", "One application");
        group.MapPut("/application/{id:guid}", UpdateAsync).Describe("updateApplication", "Change an application's settings; fields left out keep their value").MayConflict();
        group.MapDelete("/application/{id:guid}", DeleteAsync).Describe("deleteApplication", "Delete an application").MayConflict();
        return group;
    }

    private static async Task<Results<Ok<ListResponse<ApplicationResponse>>, ProblemHttpResult>> ListAsync(Guid id, ApiCaller caller, ApplicationService applications) =>
        (await applications.ListAsync(caller, id)).ToOk(list => new ListResponse<ApplicationResponse>(list.Select(ToResponse).ToList()));

    private static async Task<Results<Created<ApplicationResponse>, ProblemHttpResult>> CreateAsync(
        Guid id, ApplicationInput request, ApiCaller caller, ApplicationService applications) =>
        (await applications.CreateAsync(caller, id, request)).ToCreated(ToResponse, a => $"/api/application/{a.Id}");

    private static async Task<Results<Ok<ApplicationResponse>, ProblemHttpResult>> GetAsync(Guid id, ApiCaller caller, ApplicationService applications) =>
        (await applications.GetAsync(caller, id)).ToOk(ToResponse);

    private static async Task<Results<Ok<ApplicationResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, ApplicationInput request, ApiCaller caller, ApplicationService applications) =>
        (await applications.UpdateAsync(caller, id, request)).ToOk(ToResponse);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ApiCaller caller, ApplicationService applications) =>
        (await applications.DeleteAsync(caller, id)).ToNoContent();

    private static ApplicationResponse ToResponse(ApplicationView a)
    {
        var s = a.Settings;
        return new ApplicationResponse(
            a.Id, a.CreatedAt, a.UpdatedAt, a.EnvironmentId, s.Name, s.GitRepository, s.BuildCommand, s.StartCommand, s.Port, s.Cpu, s.Memory,
            s.MinRunningInstances, s.MaxRunningInstances, s.AutoDeploy, s.Healthchecks, s.Storage, s.MetricThresholds, a.Status, a.Flags, a.FlagDetails, a.RepositoryCheck, a.Url);
    }
}
