using Bunit;
using MudBlazor.Services;
using Platform.Domain.Deployments;
using Platform.Domain.Events;
using Platform.Domain.Services;
using Platform.Portal.Components.Common;

namespace Platform.Tests.Components;

/// <summary>What serves, beside how the last deployment went, as an application's header and row show them.</summary>
public sealed class StatusSummaryTests
{
    private static readonly CommitView Good = new("ab12cd3", "ab12cd3ef4567890ab12cd3ef4567890ab12cd3e", "Good version");

    [Fact]
    public async Task FailedDeploy_WhileTheOldReleaseRuns_ShowsRunningAtItsCommit_AndAWarningLinkedToThatDeploymentsLogs()
    {
        await using var context = CreateContext();
        var failed = Guid.CreateVersion7();
        var summary = new ServiceSummary(new Serving(Serving.Running, Good, Guid.CreateVersion7()),
            new LastDeployment(failed, Guid.CreateVersion7(), ServiceAction.Deploy, "FAILED", "BUILD_ERROR", "The build command exited with code 3.", null, DateTimeOffset.UtcNow));
        var status = ServiceStatus.Of(ServiceState.BuildError, "The build command exited with code 3. The previous version is still serving.", previousServes: true);

        var view = context.Render<StatusSummary>(p => p.Add(c => c.Summary, summary).Add(c => c.Status, status)
            .Add(c => c.LogsHref, last => $"/application/app?tab=logs&deployment={last.Id}"));

        var serving = view.Find("[data-testid=status]");
        var last = view.Find("[data-testid=last-deployment]");
        Assert.Equal("Running · commit ab12cd3", serving.TextContent.Trim());
        Assert.Contains("mud-chip-color-success", serving.ClassName, StringComparison.Ordinal);
        Assert.Equal("Last deploy failed: build error", last.TextContent.Trim());
        Assert.Contains("mud-chip-color-warning", last.ClassName, StringComparison.Ordinal);
        Assert.Equal($"/application/app?tab=logs&deployment={failed}", last.GetAttribute("href"));
        Assert.StartsWith("BUILD_ERROR", last.GetAttribute("title"), StringComparison.Ordinal);
        Assert.Equal(SimpleState.Warning, status.SimpleState);
    }

    [Fact]
    public async Task Stopped_IsNeutral_NotGreen()
    {
        await using var context = CreateContext();
        var summary = new ServiceSummary(new Serving(Serving.Stopped, null, null),
            new LastDeployment(Guid.CreateVersion7(), Guid.CreateVersion7(), ServiceAction.Stop, "OK", null, "Stopped.", null, DateTimeOffset.UtcNow));

        var view = context.Render<StatusSummary>(p => p.Add(c => c.Summary, summary).Add(c => c.Status, ServiceStatus.Of(ServiceState.Stopped, "Stopped.")));

        var serving = view.Find("[data-testid=status]");
        Assert.Equal("Stopped", serving.TextContent.Trim());
        Assert.Contains("mud-chip-color-default", serving.ClassName, StringComparison.Ordinal);
        Assert.DoesNotContain("mud-chip-color-success", serving.ClassName, StringComparison.Ordinal);
        Assert.Empty(view.FindAll("[data-testid=last-deployment]"));
    }

    [Fact]
    public async Task NeverDeployed_IsNeutral_AndSaysItOnce()
    {
        await using var context = CreateContext();

        var view = context.Render<StatusSummary>(p => p.Add(c => c.Summary, ServiceSummary.Never).Add(c => c.Status, ServiceStatus.Of(ServiceState.Stopped, "Not deployed yet.")));

        var serving = view.Find("[data-testid=status]");
        Assert.Equal("Never deployed", serving.TextContent.Trim());
        Assert.Contains("mud-chip-color-default", serving.ClassName, StringComparison.Ordinal);
        Assert.Single(view.FindAll("[data-testid=status]"));
    }

    [Fact]
    public async Task StatusChip_ShowsTheHumanLabel_WithTheCodeInItsTooltip()
    {
        await using var context = CreateContext();

        var chip = context.Render<StatusChip>(p => p.Add(c => c.Status, new ServiceStatus("DEPLOYMENT_IN_PROGRESS", SimpleState.Warning, "Deployment is in progress.")));

        var element = chip.Find("[data-testid=status]");
        Assert.Equal("Deploying", element.TextContent.Trim());
        Assert.Equal("DEPLOYMENT_IN_PROGRESS: Deployment is in progress.", element.GetAttribute("title"));
    }

    [Fact]
    public async Task StatusChip_OfAFailedDeployOverAServingRelease_ReadsRunningWithTheFailure_InWarningColours()
    {
        await using var context = CreateContext();

        var chip = context.Render<StatusChip>(p => p.Add(c => c.Status, ServiceStatus.Of(ServiceState.BuildError, "app web's last deploy failed.", previousServes: true)));

        var element = chip.Find("[data-testid=status]");
        Assert.Equal("Running · build failed", element.TextContent.Trim());
        Assert.Contains("mud-chip-color-warning", element.ClassName, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BUILD_ERROR", "Build failed")]
    [InlineData("DEPLOYMENT_ERROR", "Deploy failed")]
    [InlineData("BUILT_IN", "Built-in")]
    [InlineData("DEPLOYMENT_SUCCEEDED", "Deployment succeeded")]
    public void Labels_ReadCodesAsWords(string code, string label) => Assert.Equal(label, Labels.Of(code));

    private static BunitContext CreateContext()
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        return context;
    }
}
