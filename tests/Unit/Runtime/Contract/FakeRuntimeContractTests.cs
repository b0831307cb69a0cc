using Platform.Domain.Runtime;
using Platform.Tests.Support;

namespace Platform.Tests.Runtime.Contract;

/// <summary>The runtime contract against the in-memory fake: what the engine's fast tests stand on holds for it too.</summary>
public sealed class FakeRuntimeContractTests : RuntimeContract
{
    private readonly FakeRuntimeState _state = new();
    private readonly ContractRepository _repository;
    private FakeRuntime _runtime;

    public FakeRuntimeContractTests()
    {
        _runtime = new FakeRuntime(_state);
        var repository = _state.Repository("https://git.example.com/shop/contract.git");
        var first = repository.Commit("v1", FirstMessage);
        var head = repository.Commit("v2", HeadMessage);
        _repository = new ContractRepository(repository.Source(), first, head, StartCommand: "serve");
    }

    protected override IRuntime Runtime => _runtime;

    protected override Task<ContractRepository> RepositoryAsync() => Task.FromResult(_repository);

    protected override Task<SampleAnswer?> CallAsync(Guid applicationId) =>
        Task.FromResult(_runtime.Live(applicationId) is { } live ? new SampleAnswer(live.Version, live.Order.Variables.Values.GetValueOrDefault("GREETING")) : null);

    protected override Task<bool?> AsksItsDatabaseAsync(Guid applicationId) =>
        Task.FromResult(_runtime.Live(applicationId) is { } live
            ? live.Order.Variables.Values.TryGetValue("DATABASE_MAIN_URL", out var url) && _runtime.Connects(url)
            : (bool?)null);

    protected override Task<IReadOnlySet<Guid>> RunningReleasesAsync(Guid applicationId) =>
        Task.FromResult<IReadOnlySet<Guid>>(_runtime.Running(applicationId).Select(r => r.DeploymentId).ToHashSet());

    protected override Task<bool> AcceptsConnectionsAsync(DatabaseOrder order) => Task.FromResult(_state.AcceptsConnections(order));

    protected override Task RestartAsync()
    {
        _runtime = new FakeRuntime(_state);
        return Task.CompletedTask;
    }
}
