using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Clusters;
using Platform.Domain.Metrics;
using Platform.Domain.Runtime;
using Platform.Portal.Metrics;
using Platform.Tests.Support;

namespace Platform.Tests.Metrics;

/// <summary>
/// A real portal and PostgreSQL on the fake runtime, whose instances consume what a test says. The sampler's own loop
/// waits a day between samples here: tests take samples themselves (<see cref="MetricsSampler.SampleOnceAsync"/>) or
/// write them through its write path (<see cref="MetricStore.WriteAsync"/>) at the instants they choose.
/// </summary>
public sealed class MetricsPortal : IAsyncLifetime
{
    public MetricsPortal() => Portal = PortalFactory.With(
        new Dictionary<string, string?> { ["Metrics:SampleSeconds"] = "86400" },
        services => services.AddSingleton<IRuntimes>(_ => new UnobservableRuntimes(new FakeRuntime(State), Unobservable)));

    public FakeRuntimeState State { get; } = new();

    /// <summary>Applications the runtime fails to observe, as a runtime that lost sight of them would.</summary>
    public ConcurrentDictionary<Guid, bool> Unobservable { get; } = new();

    public PortalFactory Portal { get; }

    public Task InitializeAsync() => Portal.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)Portal).DisposeAsync();
}

/// <summary>The fake runtime for every cluster, except that observing an application the test names fails.</summary>
public sealed class UnobservableRuntimes(FakeRuntime fake, ConcurrentDictionary<Guid, bool> unobservable) : IRuntimes
{
    private readonly IRuntime _runtime = Unobserving.Over(fake, unobservable);

    public IRuntime ForCluster(Cluster cluster) => _runtime;
}

/// <summary>An <see cref="IRuntime"/> that passes every order to another, but fails ObserveAsync for some applications.</summary>
public class Unobserving : DispatchProxy
{
    private IRuntime _inner = null!;
    private ConcurrentDictionary<Guid, bool> _unobservable = null!;

    public static IRuntime Over(IRuntime inner, ConcurrentDictionary<Guid, bool> unobservable)
    {
        var proxy = Create<IRuntime, Unobserving>();
        var self = (Unobserving)(object)proxy;
        (self._inner, self._unobservable) = (inner, unobservable);
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        if (targetMethod!.Name == nameof(IRuntime.ObserveAsync) && args![0] is Guid id && _unobservable.ContainsKey(id))
        {
            return Task.FromException<ApplicationSnapshot?>(new RuntimeFailureException("The runtime lost sight of this application."));
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            throw exception.InnerException;
        }
    }
}
