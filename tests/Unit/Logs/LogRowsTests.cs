using Platform.Domain.Deployments;
using Platform.Domain.Events;
using Platform.Domain.Logs;
using Platform.Domain.Services;
using Platform.Portal.Logs;

namespace Platform.Tests.Logs;

/// <summary>How the viewer groups explained lines, and names deployments in its filter.</summary>
public sealed class LogRowsTests
{
    private static readonly Guid First = Guid.NewGuid();
    private static readonly Guid Second = Guid.NewGuid();

    [Fact]
    public void ConsecutiveLinesWithOneExplanation_OfOneDeployment_ShareOneBox_OnTheLast()
    {
        var rows = LogRows.Of([Line("fatal: Could not read from remote repository.", First), Line("The repository could not be fetched.", First), Line("Server starting", First)]);

        Assert.Equal([true, true, false], rows.Select(r => r.Explained));
        Assert.Equal([false, true, false], rows.Select(r => r.Explanation is not null));
        Assert.Equal(2, rows[1].RunLength);
    }

    [Fact]
    public void TheSameExplanation_InAnotherDeployment_StartsAnotherRun()
    {
        var rows = LogRows.Of([Line("fatal: Could not read from remote repository.", First), Line("fatal: Could not read from remote repository.", Second)]);

        Assert.Equal([true, true], rows.Select(r => r.Explanation is not null));
    }

    [Fact]
    public void DeploymentLabel_NamesTheCommitItsMessagesFirstLineAndTheTime_OrTheActionWithoutACommit()
    {
        var at = new DateTimeOffset(2026, 12, 2, 10, 4, 0, TimeSpan.Zero);

        Assert.Equal("ab12cd3 · Fix login · 2 Dec 10:04", LogRows.DeploymentLabel(Deployment(new CommitView("ab12cd3", "ab12cd3ef", "Fix login\n\nThe form posted twice."), ServiceAction.Deploy, at)));
        Assert.Equal("Stop · 2 Dec 10:04", LogRows.DeploymentLabel(Deployment(null, ServiceAction.Stop, at)));
    }

    private static LogView Line(string message, Guid deployment) => LogView.Of(
        new LogLine { Instance = "build", Message = message, DeploymentId = deployment, CreatedAt = DateTimeOffset.UtcNow }, null, null, null);

    private static ServiceDeploymentView Deployment(CommitView? commit, ServiceAction action, DateTimeOffset at) => new(
        Guid.NewGuid(), Guid.NewGuid(), new ServiceRef(ServiceType.Application, Guid.NewGuid(), "web"), action, new ServiceStatus("OK", SimpleState.Ok, "Done."),
        null, commit, [], at, at, at);
}
