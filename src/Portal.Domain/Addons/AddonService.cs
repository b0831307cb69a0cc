using Platform.Domain.Access;
using Platform.Domain.Common;

namespace Platform.Domain.Addons;

/// <summary>
/// The addon catalogue of a project, called by the pages and the API alike: what can be installed, installing,
/// changing and removing an addon (OWNER and ADMIN), its delivery log and a test notification.
/// </summary>
public sealed class AddonService
{
    public Task<Result<IReadOnlyList<AddonView>>> ListAsync(Caller caller, Guid projectId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <param name="name">The addon's name, any case (Slack, Webhook, Email).</param>
    public Task<Result<AddonView>> InstallAsync(Caller caller, Guid projectId, string name, AddonRequest request, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task<Result<AddonView>> ChangeAsync(Caller caller, Guid projectId, string name, AddonRequest request, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task<Result<bool>> UninstallAsync(Caller caller, Guid projectId, string name, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task<Result<HistoryPage<AddonDeliveryView>>> DeliveriesAsync(Caller caller, Guid projectId, string name, HistoryQuery query, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>Queues a TEST notification through the real delivery path; answers the delivery's id.</summary>
    public Task<Result<Guid>> SendTestAsync(Caller caller, Guid projectId, string name, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>The project's environments and whether the regex selects each (the regex tester); a bad regex is a 400 on its field.</summary>
    public Task<Result<IReadOnlyList<EnvironmentMatch>>> MatchEnvironmentsAsync(Caller caller, Guid projectId, string? regex, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
