using Microsoft.EntityFrameworkCore;
using Platform.Domain.Applications;
using Platform.Domain.Common;
using Platform.Domain.Services;

namespace Platform.Domain.Billing.Costs;

/// <summary>
/// Writes the running intervals at the moments the engine and supervision already record: the live release of an
/// application changes (deployed, restarted, rolled back, restored, stopped, deleted) in the engine's transitions, its
/// instance count changes in the scale notices. Changes are added to the caller's context, saved with its events.
/// </summary>
internal static class RunningIntervals
{
    /// <summary>
    /// The application's live release is now <paramref name="liveDeploymentId"/> (null: nothing runs): the open interval
    /// ends, and one opens for the new release with its requests and its starting instance count.
    /// </summary>
    public static async Task SwitchAsync(PlatformDbContext db, Guid organizationId, IDeployedService application, Guid applicationId, Guid? liveDeploymentId, DateTimeOffset now)
    {
        await CloseAsync(db, applicationId, now);
        if (liveDeploymentId is not { } id)
        {
            return;
        }

        var settings = (await db.ServiceDeployments.FindAsync(id))?.Settings ?? (application as Application)?.Settings;
        var place = await db.Environments.Where(e => e.Id == application.EnvironmentId).Select(e => new { e.ProjectId, e.ClusterId, Project = e.Project!.Name, e.Name }).FirstOrDefaultAsync();
        if (settings is null || place is null)
        {
            return;
        }

        db.Add(Open(organizationId, place.ProjectId, place.Project, application.EnvironmentId, place.Name, place.ClusterId, applicationId, id, settings.Cpu,
            settings.Memory, Math.Max(1, settings.MinRunningInstances), now));
    }

    /// <summary>
    /// The application's release <paramref name="deploymentId"/> now runs <paramref name="instances"/> instances: its
    /// open interval, if any, is replaced by one with that count. A notice of another release (the previous one's
    /// autoscaler, just before the switch) changes nothing.
    /// </summary>
    public static async Task RescaleAsync(PlatformDbContext db, Guid applicationId, Guid? deploymentId, int instances, DateTimeOffset now)
    {
        var open = await db.Set<ServiceRunningInterval>().FirstOrDefaultAsync(i => i.ServiceId == applicationId && i.EndedAt == null);
        if (open is null || open.Instances == instances || (deploymentId is { } release && open.DeploymentId != release))
        {
            return; // Stopped or replaced meanwhile (the notice came late), or nothing changed.
        }

        open.EndedAt = Max(now, open.StartedAt);
        db.Add(Open(open.OrganizationId, open.ProjectId, open.ProjectName, open.EnvironmentId, open.EnvironmentName, open.ClusterId, open.ServiceId, open.DeploymentId,
            (double)open.Cpu, open.MemoryMb, instances, open.EndedAt.Value));
    }

    /// <summary>
    /// At start, before anything is restored: intervals a crash left open end when the portal last saw them running, since
    /// the runtime's instances ended with it; the restores open new ones once they run again.
    /// </summary>
    public static Task<int> CloseLeftOpenAsync(PlatformDbContext db, CancellationToken cancellationToken) =>
        db.Set<ServiceRunningInterval>().Where(i => i.EndedAt == null).ExecuteUpdateAsync(u => u.SetProperty(i => i.EndedAt, i => i.SeenAt), cancellationToken);

    private static async Task CloseAsync(PlatformDbContext db, Guid applicationId, DateTimeOffset now)
    {
        // Both the saved open interval and one this context opened and has not saved yet.
        var open = db.Set<ServiceRunningInterval>().Local.Where(i => i.ServiceId == applicationId && i.EndedAt == null).ToList();
        open.AddRange(await db.Set<ServiceRunningInterval>().Where(i => i.ServiceId == applicationId && i.EndedAt == null).ToListAsync());
        foreach (var interval in open.Distinct())
        {
            interval.EndedAt = Max(now, interval.StartedAt);
        }
    }

    private static ServiceRunningInterval Open(
        Guid organizationId, Guid projectId, string project, Guid environmentId, string environment, Guid clusterId, Guid applicationId, Guid deploymentId,
        double cpu, int memoryMb, int instances, DateTimeOffset at) => new()
    {
        OrganizationId = organizationId,
        ProjectId = projectId,
        ProjectName = project,
        EnvironmentId = environmentId,
        EnvironmentName = environment,
        ClusterId = clusterId,
        ServiceId = applicationId,
        DeploymentId = deploymentId,
        Cpu = decimal.Round((decimal)cpu, 3),
        MemoryMb = memoryMb,
        Instances = instances,
        StartedAt = at,
        SeenAt = at,
    };

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
