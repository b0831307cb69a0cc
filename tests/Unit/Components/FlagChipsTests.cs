using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Platform.Domain.Applications;
using Platform.Domain.Services;
using Platform.Portal.Applications;

namespace Platform.Tests.Components;

/// <summary>The environment page's flag chips: each flag explained, with its action (Deploy, Restart) for a role that may act.</summary>
public sealed class FlagChipsTests
{
    private const string Commit = "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";

    [Fact]
    public async Task Flags_AreChipsNamedWithTheirExplanation_AndTheirActionsQueueWhatClearsThem()
    {
        await using var context = Context();
        string? deployed = null;
        var restarted = 0;
        var chips = context.Render<FlagChips>(parameters => parameters
            .Add(c => c.Application, View(running: true,
                new FlagDetail(ApplicationFlags.UpdateAvailable, "The branch main is at commit 3f2a9c1; commit 0a1b2c3 is deployed.", Commit),
                new FlagDetail(ApplicationFlags.RestartNeeded, "Variables or settings changed since the last deployment: restart it to apply them.")))
            .Add(c => c.CanChange, true)
            .Add(c => c.Deploy, commit => deployed = commit)
            .Add(c => c.Restart, () => restarted++));

        var update = chips.Find("[data-flag=UPDATE_AVAILABLE]");
        var restart = chips.Find("[data-flag=RESTART_NEEDED]");
        chips.Find("button[aria-label='Deploy commit 3f2a9c1 of web']").Click();
        chips.Find("button[aria-label='Restart web']").Click();

        Assert.Contains("Update available: 3f2a9c1", update.TextContent, StringComparison.Ordinal);
        Assert.Equal("Update available: 3f2a9c1: The branch main is at commit 3f2a9c1; commit 0a1b2c3 is deployed.", update.GetAttribute("aria-label"));
        Assert.StartsWith("Restart needed: Variables or settings changed", restart.GetAttribute("aria-label"), StringComparison.Ordinal);
        Assert.Equal(Commit, deployed);
        Assert.Equal(1, restarted);
    }

    [Fact]
    public async Task GitConnectionError_ShowsTheReason_AndOffersNoAction()
    {
        await using var context = Context();
        const string reason = "The repository https://deployer:***@git.example.test/web.git could not be reached: connection refused.";

        var chips = context.Render<FlagChips>(parameters => parameters
            .Add(c => c.Application, View(running: true, new FlagDetail(ApplicationFlags.GitConnectionError, reason)))
            .Add(c => c.CanChange, true));

        var chip = chips.Find("[data-flag=GIT_CONNECTION_ERROR]");
        Assert.Contains("Repository unreachable", chip.TextContent, StringComparison.Ordinal);
        Assert.Equal($"Repository unreachable: {reason}", chip.GetAttribute("aria-label"));
        Assert.Empty(chips.FindAll("button"));
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task Actions_AreHidden_FromARoleThatMayNotAct_AndRestart_FromWhatDoesNotRun(bool canChange, bool running)
    {
        await using var context = Context();

        var chips = context.Render<FlagChips>(parameters => parameters
            .Add(c => c.Application, View(running, new FlagDetail(ApplicationFlags.RestartNeeded, "Variables or settings changed since the last deployment.")))
            .Add(c => c.CanChange, canChange));

        Assert.Single(chips.FindAll("[data-flag=RESTART_NEEDED]"));
        Assert.Empty(chips.FindAll("button"));
    }

    private static BunitContext Context()
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        return context;
    }

    private static ApplicationView View(bool running, params FlagDetail[] flags)
    {
        var settings = new ApplicationSettings("web", new GitSource("/srv/git/web.git", "main", "/"), null, "python3 app.py", 8080, 0.5, 64, 1, 1, false,
            new Healthchecks(null, null));
        var now = DateTimeOffset.UtcNow;
        return new ApplicationView(Guid.CreateVersion7(), Guid.CreateVersion7(), settings, new ServiceStatus("RUNNING", SimpleState.Ok, null), flags,
            new RepositoryCheck(now, Commit, null), running ? new Uri("http://web.apps.localhost/") : null, now, now, ServiceSummary.Never);
    }
}
