using Platform.Domain.Deployments;
using Platform.Domain.Runtime;
using Platform.Domain.Services;
using Platform.Portal.Runtime;

namespace Platform.Tests.Runtime;

/// <summary>The local runtime's rules that need no process: scaling, masking, progress, degraded status.</summary>
public sealed class RuntimeRuleTests
{
    [Fact]
    public void Scaling_AboveEightyPercentOfTheRequest_AddsAnInstanceUpToMax()
    {
        Assert.Equal((1, 0), ScalingRule.Decide(averageCores: 0.45, requestedCores: 0.5, count: 1, min: 1, max: 3, quietPeriods: 0));
        Assert.Equal((0, 0), ScalingRule.Decide(averageCores: 0.45, requestedCores: 0.5, count: 3, min: 1, max: 3, quietPeriods: 0));
    }

    [Fact]
    public void Scaling_BelowTwentyPercent_RemovesAnInstanceOnlyAfterQuietPeriodsAndNeverBelowMin()
    {
        Assert.Equal((0, 1), ScalingRule.Decide(0.01, 0.5, count: 3, min: 1, max: 3, quietPeriods: 0));
        Assert.Equal((-1, 0), ScalingRule.Decide(0.01, 0.5, count: 3, min: 1, max: 3, quietPeriods: ScalingRule.QuietPeriodsBeforeScaleDown - 1));
        Assert.Equal((0, 0), ScalingRule.Decide(0.01, 0.5, count: 2, min: 2, max: 3, quietPeriods: 5));
    }

    [Fact]
    public void Scaling_InBetween_ResetsTheQuietCount()
    {
        Assert.Equal((0, 0), ScalingRule.Decide(0.25, 0.5, count: 2, min: 1, max: 3, quietPeriods: 2));
    }

    [Fact]
    public void MaskSecrets_ReplacesEverySecretValueInALine()
    {
        var line = ChildProcess.MaskSecrets("token=s3cr3t-value and again s3cr3t-value; pw=hunter22", ["s3cr3t-value", "hunter22"]);

        Assert.Equal("token=******** and again ********; pw=********", line);
    }

    [Fact]
    public void MaskSecrets_LeavesValuesTooShortToMaskAlone()
    {
        Assert.Equal("a b c", ChildProcess.MaskSecrets("a b c", ["a", "b"]));
    }

    [Fact]
    public void Progress_CountsDoneAndSkippedSteps()
    {
        IReadOnlyList<DeploymentStep> steps =
        [
            new("Fetch", StepState.Done, null, null),
            new("Build", StepState.Skipped, null, null),
            new("Start", StepState.Running, null, null),
            new("Switch traffic", StepState.Pending, null, null),
        ];

        Assert.Equal(50, DeploymentSteps.Progress(steps));
    }

    [Fact]
    public void Progress_OfAFailedDeployment_DoesNotCountTheStepsItSkipped()
    {
        IReadOnlyList<DeploymentStep> steps =
        [
            new("Fetch", StepState.Failed, null, null),
            new("Build", StepState.Skipped, null, null),
            new("Start", StepState.Skipped, null, null),
            new("Switch traffic", StepState.Skipped, null, null),
        ];

        Assert.Equal(0, DeploymentSteps.Progress(steps));
    }

    [Fact]
    public void Health_RunningWithSomeInstancesNotReady_IsAWarning()
    {
        var live = new ApplicationSnapshot(Guid.NewGuid(), Guid.NewGuid(), 2,
        [
            new InstanceSnapshot("a-1", Guid.NewGuid(), InstanceState.Ready, 0, 0, 0, DateTimeOffset.UtcNow),
            new InstanceSnapshot("a-2", Guid.NewGuid(), InstanceState.Restarting, 1, 0, 0, DateTimeOffset.UtcNow),
        ]);

        var status = ServiceHealth.Of(ServiceState.Running, "Running commit abc.", live, serving: true);

        Assert.Equal(("RUNNING", SimpleState.Warning, "1 of 2 instances are ready."), (status.State, status.SimpleState, status.Message));
    }

    [Fact]
    public void DeploymentStatus_FailedIsAnErrorAndAbortedAWarning()
    {
        Assert.Equal(SimpleState.Error, DeploymentStatus.Of(DeploymentState.Failed, null).SimpleState);
        Assert.Equal(SimpleState.Warning, DeploymentStatus.Of(DeploymentState.Aborted, null).SimpleState);
        Assert.Equal("DEPLOYMENT_IN_PROGRESS", DeploymentStatus.Of(DeploymentState.DeploymentInProgress, null).State);
    }
}
