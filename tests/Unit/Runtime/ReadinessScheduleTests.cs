using Platform.Domain.Applications;
using Platform.Domain.Runtime;
using Platform.Portal.Runtime;

namespace Platform.Tests.Runtime;

/// <summary>When an instance's watch looks again: the readiness of a starting instance is not left waiting on a timer.</summary>
public sealed class ReadinessScheduleTests
{
    private static readonly Probe Tcp = new(ProbeType.Tcp, null, null, 0, 1, 2, 10);
    private static readonly Probe Command = new(ProbeType.Command, null, "true", 0, 1, 2, 10);

    [Fact]
    public void ReadinessIsCheckedAsSoonAsTheProcessStarts()
    {
        Assert.Equal(TimeSpan.Zero, InstanceSupervisor.Wait(InstanceState.Starting, Tcp, untilReadinessCheck: TimeSpan.Zero));
    }

    [Fact]
    public void StartingInstance_WithAConnectionProbe_IsCheckedAgainWithin50Ms_ACommandProbeWithin250Ms()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(50), InstanceSupervisor.Wait(InstanceState.Starting, Tcp, TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromMilliseconds(250), InstanceSupervisor.Wait(InstanceState.Starting, Command, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void UnhealthyInstance_IsCheckedEvery250Ms_AndAReadyOneWatchedEverySecond()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(250), InstanceSupervisor.StartingCheckPeriod(InstanceState.Unhealthy, Tcp));
        Assert.Equal(TimeSpan.FromSeconds(1), InstanceSupervisor.Wait(InstanceState.Ready, Tcp, TimeSpan.Zero));
    }
}
