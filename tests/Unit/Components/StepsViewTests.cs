using Bunit;
using MudBlazor.Services;
using Platform.Domain.Deployments;
using Platform.Portal.Deployments;

namespace Platform.Tests.Components;

public sealed class StepsViewTests
{
    [Fact]
    public async Task StepsView_ShowsEachStepWithItsElapsedTime_AndTheProgress()
    {
        await using var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        var start = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
        IReadOnlyList<DeploymentStep> steps =
        [
            new("Fetch", StepState.Done, start, start.AddSeconds(1.5)),
            new("Build", StepState.Done, start.AddSeconds(2), start.AddSeconds(74)),
            new("Start", StepState.Failed, start.AddSeconds(75), start.AddSeconds(80)),
            new("Switch traffic", StepState.Skipped, null, null),
        ];

        var view = context.Render<StepsView>(parameters => parameters.Add(p => p.Steps, steps));

        var chips = view.FindAll(".mud-chip").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(["Fetch 1.5 s", "Build 1 min 12 s", "Start 5 s", "Switch traffic"], chips.Select(c => string.Join(' ', c.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))));
        Assert.Contains("mud-progress-linear-color-error", view.Markup, StringComparison.Ordinal);
    }
}
