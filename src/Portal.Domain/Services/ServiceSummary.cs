using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;
using Platform.Domain.Deployments;
using Platform.Domain.Events;

namespace Platform.Domain.Services;

/// <summary>
/// What serves now, read from the service's live release: RUNNING (at <paramref name="Commit"/>, for an application),
/// STOPPED (it ran, or was stopped, and nothing serves), NOT_RUNNING (deployed but none of its deployments ever left
/// it running, e.g. a first build that failed) or NEVER_DEPLOYED (no deployment of it ended yet).
/// </summary>
public sealed record Serving(string State, CommitView? Commit, Guid? DeploymentId)
{
    public const string Running = "RUNNING";
    public const string Stopped = "STOPPED";
    public const string NotRunning = "NOT_RUNNING";
    public const string NeverDeployed = "NEVER_DEPLOYED";

    public bool IsRunning => State == Running;
}

/// <summary>
/// How the service's latest deployment went (or goes): its id (the one log lines carry), its action, its state
/// (QUEUED, DEPLOYMENT_IN_PROGRESS, OK, FAILED, ABORTING, ABORTED), and for a failure its kind: BUILD_ERROR (fetch or
/// build), STOP_ERROR, or DEPLOYMENT_ERROR (start, switch, provision, delete).
/// </summary>
public sealed record LastDeployment(
    Guid Id, Guid EnvironmentDeploymentId, ServiceAction Action, string State, string? Failure, string? Message, CommitView? Commit, DateTimeOffset? FinishedAt)
{
    public bool Failed => State == "FAILED";

    public bool InProgress => State is "QUEUED" or "DEPLOYMENT_IN_PROGRESS" or "ABORTING";
}

/// <summary>
/// A service's status in two parts, as its page and its row show them (PRODUCT.md section 5): what serves, and how the
/// last deployment ended, so that a failed deploy while the previous version serves reads "Running · commit ab12cd3"
/// beside "Last deploy failed: build error" rather than as the service being down.
/// </summary>
public sealed record ServiceSummary(Serving Serving, LastDeployment? LastDeployment)
{
    public static readonly ServiceSummary Never = new(new Serving(Serving.NeverDeployed, null, null), null);

    /// <summary>
    /// The summary of a service in <paramref name="state"/>, given its live release (null when none is live), its latest
    /// deployment and whether any deployment of it ever ended.
    /// </summary>
    public static ServiceSummary Of(ServiceState state, ServiceDeployment? live, ServiceDeployment? latest, bool anyEnded)
    {
        var serving = live is not null && state != ServiceState.Stopped
            ? new Serving(Serving.Running, CommitOf(live), live.Id)
            : !anyEnded ? new Serving(Serving.NeverDeployed, null, null)
            : state == ServiceState.Stopped || live is not null ? new Serving(Serving.Stopped, null, null)
            : new Serving(Serving.NotRunning, null, null);
        return new ServiceSummary(serving, latest is null ? null : LastOf(latest));
    }

    /// <summary>The summaries of these services (id, state, live deployment), read in two queries.</summary>
    public static async Task<Dictionary<Guid, ServiceSummary>> ForAsync(
        PlatformDbContext db, IReadOnlyCollection<(Guid Id, ServiceState State, Guid? LiveDeploymentId)> services, CancellationToken cancellationToken)
    {
        var ids = services.Select(s => s.Id).ToList();
        var history = await db.ServiceDeployments.AsNoTracking().Where(d => ids.Contains(d.ServiceId))
            .GroupBy(d => d.ServiceId)
            .Select(g => new { Id = g.Key, Latest = g.Max(d => d.Sequence), Ended = g.Count(d => d.FinishedAt != null) })
            .ToListAsync(cancellationToken);
        var latest = history.Select(h => h.Latest).ToList();
        var live = services.Where(s => s.LiveDeploymentId is not null).Select(s => s.LiveDeploymentId!.Value).ToList();
        var rows = await db.ServiceDeployments.AsNoTracking().Where(d => latest.Contains(d.Sequence) || live.Contains(d.Id)).ToListAsync(cancellationToken);
        return services.ToDictionary(s => s.Id, s =>
        {
            var own = history.FirstOrDefault(h => h.Id == s.Id);
            return Of(s.State, rows.FirstOrDefault(r => r.Id == s.LiveDeploymentId), own is null ? null : rows.FirstOrDefault(r => r.Sequence == own.Latest), own?.Ended > 0);
        });
    }

    private static LastDeployment LastOf(ServiceDeployment d)
    {
        var status = DeploymentStatus.Of(d.State, d.Message);
        return new LastDeployment(d.Id, d.EnvironmentDeploymentId, d.Action, status.State, d.State == DeploymentState.Failed ? FailureOf(d) : null,
            d.Message, CommitOf(d), d.FinishedAt);
    }

    /// <summary>What kind of failure ended it, from the step that failed (as the engine sets the service's state).</summary>
    public static string FailureOf(ServiceDeployment d)
    {
        var step = d.Steps.FirstOrDefault(s => s.State == StepState.Failed)?.Name;
        return step is DeploymentSteps.Fetch or DeploymentSteps.Build ? ServiceStatus.Name(ServiceState.BuildError)
            : d.Action == ServiceAction.Stop ? ServiceStatus.Name(ServiceState.StopError)
            : ServiceStatus.Name(ServiceState.DeploymentError);
    }

    private static CommitView? CommitOf(ServiceDeployment d) =>
        d.CommitLongId is null ? null : new CommitView(d.CommitShortId ?? d.CommitLongId[..Math.Min(7, d.CommitLongId.Length)], d.CommitLongId, d.CommitMessage ?? "");
}
