using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Applications;
using Platform.Domain.Clusters;
using Platform.Domain.Runtime;
using Platform.Portal.Runtime;

namespace Platform.Tests.Applications;

/// <summary>
/// The real local runtime, with every fetch order the engine gives it recorded. Tests name repositories by http(s)
/// addresses that must not be reached from here: a fetch of one of those is served from the local repository the
/// test registered for it, so the deployment runs through; any other such fetch fails as unreachable.
/// </summary>
public sealed class RecordingRuntime(LocalRuntime local) : IRuntime, IRuntimes
{
    private readonly ConcurrentDictionary<string, string> _served = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FetchOrder> _fetches = new();

    public IReadOnlyList<FetchOrder> Fetches => [.. _fetches];

    public static void Replace(IServiceCollection services)
    {
        services.AddSingleton(sp => new RecordingRuntime(sp.GetRequiredService<LocalRuntime>()));
        services.AddSingleton<IRuntimes>(sp => sp.GetRequiredService<RecordingRuntime>());
    }

    /// <summary>Fetches of this URL (as the order names it, without credentials) come from a local repository.</summary>
    public void Serve(string url, string localRepository) => _served[url] = localRepository;

    /// <summary>The application's latest fetch order.</summary>
    public FetchOrder LastFetchOf(Guid applicationId) => Fetches.Where(f => f.ApplicationId == applicationId).LastOrDefault()
        ?? throw new InvalidOperationException($"The runtime was given no fetch order for application {applicationId}.");

    public IRuntime ForCluster(Cluster cluster) => this;

    public string? UnavailableReason => local.UnavailableReason;

    public Task<FetchedSource> FetchAsync(FetchOrder order, CancellationToken cancellationToken)
    {
        _fetches.Enqueue(order);
        return _served.TryGetValue(order.Source.Url, out var repository)
            ? local.FetchAsync(order with { Source = order.Source with { Url = repository }, Credentials = null }, cancellationToken)
            : order.Source.Url.StartsWith("http", StringComparison.Ordinal)
                ? throw new RuntimeFailureException($"The tests reach no outside repository: {order.Source.Url}.")
                : local.FetchAsync(order, cancellationToken);
    }

    public Task<string> BranchHeadAsync(Guid applicationId, GitSource source, GitCredentials? credentials, CancellationToken cancellationToken) =>
        _served.TryGetValue(source.Url, out var repository)
            ? local.BranchHeadAsync(applicationId, source with { Url = repository }, null, cancellationToken)
            : source.Url.StartsWith("http", StringComparison.Ordinal)
                ? throw new RuntimeFailureException($"The tests reach no outside repository: {source.Url}.")
                : local.BranchHeadAsync(applicationId, source, credentials, cancellationToken);

    public Task BuildAsync(BuildOrder order, CancellationToken cancellationToken) => local.BuildAsync(order, cancellationToken);

    public Task<bool> HasBuildAsync(string buildId, CancellationToken cancellationToken) => local.HasBuildAsync(buildId, cancellationToken);

    public Task StartAsync(ReleaseOrder order, CancellationToken cancellationToken) => local.StartAsync(order, cancellationToken);

    public Task PromoteAsync(Guid applicationId, Guid deploymentId, CancellationToken cancellationToken) => local.PromoteAsync(applicationId, deploymentId, cancellationToken);

    public Task DiscardAsync(Guid applicationId, Guid deploymentId, CancellationToken cancellationToken) => local.DiscardAsync(applicationId, deploymentId, cancellationToken);

    public Task DeleteApplicationAsync(Guid applicationId, CancellationToken cancellationToken) => local.DeleteApplicationAsync(applicationId, cancellationToken);

    public Task StopAsync(Guid applicationId, CancellationToken cancellationToken) => local.StopAsync(applicationId, cancellationToken);

    public Task<ApplicationSnapshot?> ObserveAsync(Guid applicationId, CancellationToken cancellationToken) => local.ObserveAsync(applicationId, cancellationToken);

    public Task<Platform.Domain.Databases.DatabaseServerAddress> DatabaseAddressAsync(CancellationToken cancellationToken) => local.DatabaseAddressAsync(cancellationToken);

    public Uri UrlOf(Guid applicationId, string name) => local.UrlOf(applicationId, name);

    public Task DeployDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken) => local.DeployDatabaseAsync(order, cancellationToken);

    public Task StopDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken) => local.StopDatabaseAsync(order, cancellationToken);

    public Task DeleteDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken) => local.DeleteDatabaseAsync(order, cancellationToken);
}
