using Microsoft.Extensions.DependencyInjection;
using Platform.Portal.Runtime;
using Platform.Tests.Support;

namespace Platform.Tests.Deployments;

/// <summary>What the local runtime of a test portal runs, as the host sees it (process ids, sandbox addresses).</summary>
public static class RuntimeInspection
{
    /// <summary>The host's pids of the application's ready instances: each one's sandbox, with the application in it.</summary>
    public static IReadOnlyList<int> InstanceProcessIds(this PortalFactory portal, Guid applicationId) =>
        portal.Services.GetRequiredService<LocalApplications>().ReadyInstances(applicationId).Select(i => i.Process!.Id).ToList();

    /// <summary>Where the host reaches the application's first ready instance.</summary>
    public static Uri InstanceEndpoint(this PortalFactory portal, Guid applicationId) =>
        new(portal.Services.GetRequiredService<LocalApplications>().ReadyInstances(applicationId)[0].Endpoint);
}
