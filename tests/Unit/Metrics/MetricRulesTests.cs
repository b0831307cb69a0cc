using Platform.Domain.Applications;
using Platform.Domain.Metrics;
using Platform.Domain.Runtime;

namespace Platform.Tests.Metrics;

/// <summary>The metric rules on their own: status against thresholds, the scale, and the windows series read.</summary>
public sealed class MetricRulesTests
{
    private static readonly MetricThreshold Cpu = new(80, 95);

    [Theory]
    [InlineData(0, "OK", null)]
    [InlineData(79.9, "OK", null)]
    [InlineData(80, "WARNING", "CPU (80%): at the warning threshold of 80%")]
    [InlineData(94.9, "WARNING", "CPU (94.9%): above the warning threshold of 80%")]
    [InlineData(95, "ERROR", "CPU (95%): at the alert threshold of 95%")]
    [InlineData(120, "ERROR", "CPU (120%): above the alert threshold of 95%")]
    public void Status_IsOkBelowTheWarning_WarningFromIt_ErrorFromTheAlert(double percent, string state, string? message)
    {
        var status = MetricRules.Status(percent, Cpu, "CPU");

        Assert.Equal(new MetricStatus(state, state, message), status);
    }

    [Fact]
    public void Scale_OfAnApplicationWithItsOwnThresholds_IsJudgedByThem()
    {
        var settings = ApplicationRules.Defaults with { MinRunningInstances = 1, MaxRunningInstances = 4 };
        var live = new ApplicationSnapshot(Guid.NewGuid(), Guid.NewGuid(), 3, [Ready(1), Ready(2), Ready(3)]);

        var byDefault = MetricRules.Scale(settings, live);
        var ownThresholds = MetricRules.Scale(settings with { MetricThresholds = MetricThresholds.Defaults with { Scale = new MetricThreshold(70, 90) } }, live);

        Assert.Equal((3, 75.0, "OK"), (byDefault.Running, byDefault.RunningInPercent, byDefault.Status.State));
        Assert.Equal(new MetricStatus("WARNING", "WARNING", "3 of 4 instances running (75%): above the warning threshold of 70%"), ownThresholds.Status);
        Assert.Equal((70, 90), (ownThresholds.WarningThresholdInPercent, ownThresholds.AlertThresholdInPercent));
    }

    [Fact]
    public void Scale_OfAnApplicationOfFixedSize_IsOkAtThatSize()
    {
        var settings = ApplicationRules.Defaults with { MinRunningInstances = 2, MaxRunningInstances = 2 };

        var scale = MetricRules.Scale(settings, new ApplicationSnapshot(Guid.NewGuid(), Guid.NewGuid(), 2, [Ready(1), Ready(2)]));

        Assert.Equal((100.0, "OK", null), (scale.RunningInPercent, scale.Status.State, scale.Status.Message));
    }

    [Fact]
    public void Window_OfAnyDaysFromOneToNinety_HasAtMost300BucketsOfWholeRollupBuckets()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var days in Enumerable.Range(MetricRules.MinLastDays, MetricRules.MaxLastDays))
        {
            var window = MetricRules.Window(days, now);
            var buckets = (window.End - window.From).TotalSeconds / window.BucketSeconds;

            Assert.InRange(buckets, 1, MetricRules.MaxPoints);
            Assert.Equal(0, window.BucketSeconds % (window.RollupSeconds ?? 1));
            // It covers the days asked for, but for less than a bucket, up to now.
            Assert.InRange((now - window.From).TotalSeconds, days * 86_400 - window.BucketSeconds, days * 86_400 + window.BucketSeconds);
            Assert.True(window.End > now);
        }
    }

    [Theory]
    [InlineData(1, MetricRollup.Minute, 300)]
    [InlineData(12, MetricRollup.Minute, 3480)]
    [InlineData(13, MetricRollup.Hour, 7200)]
    [InlineData(30, MetricRollup.Hour, 10800)]
    [InlineData(90, MetricRollup.Hour, 28800)]
    public void Window_ReadsTheMinuteRollupUnderAnHourOfBucket_TheHourRollupAbove(int days, int rollup, int bucketSeconds)
    {
        var window = MetricRules.Window(days, DateTimeOffset.UtcNow);

        Assert.Equal((rollup, bucketSeconds), (window.RollupSeconds, window.BucketSeconds));
    }

    [Fact]
    public void Thresholds_OutOfTheirLimits_AreRefusedByField()
    {
        var input = new ApplicationInput("web", new GitSourceInput("/srv/git/web.git", null, null), null, "npm start", null, null, null, null, null, null, null)
        {
            Storage = 2000,
            MetricThresholds = new MetricThresholdsInput(
                Scale: new MetricThresholdInput(0, null),
                Cpu: new MetricThresholdInput(90, 85),
                Memory: new MetricThresholdInput(null, 101),
                Storage: new MetricThresholdInput(100, 100)),
        };

        var (_, _, errors) = ApplicationRules.Resolve(input, current: null);

        Assert.Equal(
            ["metric_thresholds.cpu.alert_threshold_in_percent", "metric_thresholds.memory.alert_threshold_in_percent", "metric_thresholds.scale.warning_threshold_in_percent", "storage"],
            errors.Keys.Order(StringComparer.Ordinal));
    }

    private static InstanceSnapshot Ready(int slot) =>
        new($"i-{slot}", Guid.NewGuid(), InstanceState.Ready, 0, 0.1, 10, DateTimeOffset.UtcNow) { Slot = slot };
}
