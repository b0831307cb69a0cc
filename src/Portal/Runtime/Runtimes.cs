using Platform.Domain.Clusters;
using Platform.Domain.Runtime;

namespace Platform.Portal.Runtime;

/// <summary>The runtime per cluster: the local runtime for LOCAL clusters; Kubernetes comes later behind the same interface, with the cluster's settings.</summary>
public sealed class Runtimes(LocalRuntime local) : IRuntimes
{
    public IRuntime ForCluster(Cluster cluster) => cluster.Kind == ClusterKind.Local
        ? local
        : throw new RuntimeFailureException($"No runtime carries out {cluster.Kind.ToString().ToUpperInvariant()} clusters' deployments yet; use the organization's local cluster.");
}
