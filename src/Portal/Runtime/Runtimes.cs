using Platform.Domain.Clusters;
using Platform.Domain.Runtime;

namespace Platform.Portal.Runtime;

/// <summary>The runtime per cluster kind: the local runtime for LOCAL clusters; Kubernetes comes later behind the same interface.</summary>
public sealed class Runtimes(LocalRuntime local) : IRuntimes
{
    public IRuntime ForCluster(ClusterKind kind) => kind == ClusterKind.Local
        ? local
        : throw new RuntimeFailureException($"No runtime carries out {kind.ToString().ToUpperInvariant()} clusters' deployments yet; use the organization's local cluster.");
}
