using Bunit;
using MudBlazor.Interop;
using MudBlazor.Services;
using Platform.Domain.Metrics;
using Platform.Portal.Metrics;

namespace Platform.Tests.Metrics;

/// <summary>The application page's metric components, given the domain's views as they are: no service, no database.</summary>
public sealed class MetricComponentsTests
{
    private static readonly MetricStatus Ok = new("OK", "OK", null);

    [Fact]
    public async Task InstanceGauges_ShowRequestedAgainstConsumed_AndNoStorageGaugeWhenNoneWasRequested()
    {
        await using var context = NewContext();
        InstanceMetrics[] instances =
        [
            new("i-1", "instance 1", Usage(1, 0.42, 42, Ok), Usage(256, 180, 70.3, Ok), null),
            new("i-2", "instance 2", Usage(0.5, 0.1, 20, Ok), Usage(256, 64, 25, Ok), Usage(1, 0.31, 31, Ok)),
        ];

        var view = context.Render<InstanceGauges>(p => p.Add(g => g.Instances, instances));

        var cards = view.FindAll("[data-testid='instance-gauge']");
        Assert.Equal(2, cards.Count);
        Assert.Contains("instance 1", cards[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("0.42 of 1 core (42%)", Text(cards[0], "cpu"));
        Assert.Equal("180 of 256 MB (70%)", Text(cards[0], "memory"));
        Assert.Null(cards[0].QuerySelector("[data-testid='gauge-storage']"));
        Assert.Equal("0.1 of 0.5 cores (20%)", Text(cards[1], "cpu"));
        Assert.Equal("0.31 of 1 GB (31%)", Text(cards[1], "storage"));
    }

    [Theory]
    [InlineData("OK", "success")]
    [InlineData("WARNING", "warning")]
    [InlineData("ERROR", "error")]
    public async Task AGauge_TakesItsColourFromTheStatus_AndSaysItInWordsWhenNotOk(string state, string colour)
    {
        await using var context = NewContext();
        var status = new MetricStatus(state, state, state == "OK" ? null : "memory is over its threshold");
        InstanceMetrics[] instances = [new("i-1", "instance 1", Usage(1, 0.2, 20, Ok), Usage(256, 230, 90, status), null)];

        var view = context.Render<InstanceGauges>(p => p.Add(g => g.Instances, instances));

        var memory = view.Find("[data-testid='gauge-memory']");
        Assert.Contains($"mud-progress-linear-color-{colour}", memory.InnerHtml, StringComparison.Ordinal);
        Assert.Contains("mud-progress-linear-color-success", view.Find("[data-testid='gauge-cpu']").InnerHtml, StringComparison.Ordinal);
        var words = memory.QuerySelector("[data-testid='gauge-status']");
        if (state == "OK")
        {
            Assert.Null(words);
        }
        else
        {
            Assert.Contains("memory is over its threshold", words!.TextContent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ScaleSummary_SaysRunningOfTheRange_WithTheBarAgainstTheMaximum()
    {
        await using var context = NewContext();
        var scale = new CurrentScale(1, 4, 2, 50, 80, 90, Ok);

        var view = context.Render<ScaleSummary>(p => p.Add(s => s.Scale, scale));

        Assert.Equal("2 running of 1..4", view.Find("[data-testid='scale-text']").TextContent.Trim());
        Assert.Contains("mud-progress-linear-color-success", view.Markup, StringComparison.Ordinal);
        Assert.Equal("50", view.Find("[role='progressbar']").GetAttribute("aria-valuenow"));
    }

    [Fact]
    public async Task ScaleSummary_WithAFixedCount_SaysTheOneNumber_AndAnAlertInWords()
    {
        await using var context = NewContext();
        var scale = new CurrentScale(3, 3, 1, 33.3, 80, 90, new MetricStatus("ERROR", "ERROR", "2 of 3 instances are not running"));

        var view = context.Render<ScaleSummary>(p => p.Add(s => s.Scale, scale));

        Assert.Equal("1 running of 3", view.Find("[data-testid='scale-text']").TextContent.Trim());
        Assert.Contains("mud-progress-linear-color-error", view.Markup, StringComparison.Ordinal);
        Assert.Contains("2 of 3 instances are not running", view.Find("[data-testid='scale-status']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricChart_DrawsOneLinePerInstance_UnderItsAccessibleTitle()
    {
        await using var context = NewContext();
        var start = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        MetricSeries[] series =
        [
            new("instance 1", [.. Enumerable.Range(0, 12).Select(i => new MetricPoint(start.AddMinutes(5 * i), 0.2 + (i * 0.01)))]),
            new("instance 2", [.. Enumerable.Range(0, 12).Select(i => new MetricPoint(start.AddMinutes(5 * i), 0.4))]),
            new("instance 3", [.. Enumerable.Range(0, 12).Select(i => new MetricPoint(start.AddMinutes(5 * i), 0.1))]),
        ];

        var view = context.Render<MetricChart>(p => p.Add(c => c.Kind, MetricKind.Cpu).Add(c => c.LastDays, 7).Add(c => c.Series, series));

        var figure = view.Find("figure");
        Assert.Equal("CPU over the last 7 days", figure.GetAttribute("aria-label"));
        Assert.NotNull(figure.QuerySelector("svg"));
        var chart = view.FindComponent<MudBlazor.MudChart<double>>();
        Assert.Equal(["instance 1", "instance 2", "instance 3"], chart.Instance.ChartSeries.Select(s => s.Name));
        Assert.Equal(31, chart.Instance.ChartSeries[0].Data.Values[^1]);
        Assert.Equal(3, figure.QuerySelectorAll(".mud-charts-timeseries-series path.mud-chart-line").Length);
        Assert.Equal(["instance 1", "instance 2", "instance 3"], figure.QuerySelectorAll(".mud-chart-legend-item").Select(l => l.TextContent.Trim()));
    }

    [Fact]
    public async Task MetricChart_WithoutSamples_SaysSoInsteadOfAnEmptyChart()
    {
        await using var context = NewContext();

        var view = context.Render<MetricChart>(p => p.Add(c => c.Kind, MetricKind.Memory).Add(c => c.LastDays, 1).Add(c => c.Series, [new MetricSeries("instance 1", [])]));

        Assert.Equal("Memory over the last day", view.Find("figure").GetAttribute("aria-label"));
        Assert.NotNull(view.Find("[data-testid='metric-chart-empty']"));
        Assert.Empty(view.FindComponents<MudBlazor.MudChart<double>>());
    }

    [Theory]
    [InlineData(0.4, 1)]
    [InlineData(42, 10)]
    [InlineData(180, 50)]
    [InlineData(3000, 1000)]
    public void ChartTicks_AreWholeNiceSteps_OfAboutAFifthOfTheMaximum(double max, int tick) => Assert.Equal(tick, MetricText.TickFor(max));

    [Theory]
    [InlineData(0, 1)]
    [InlineData(30, 5)]
    [InlineData(24 * 60, 6 * 60)]
    [InlineData(30 * 24 * 60, 5 * 24 * 60)]
    public void TimeLabels_CutTheSamplesSpanIntoAtMostSixRoundSteps(int spanMinutes, int stepMinutes) =>
        Assert.Equal(TimeSpan.FromMinutes(stepMinutes), MetricText.LabelSpacing(TimeSpan.FromMinutes(spanMinutes)));

    private static ResourceUsage Usage(double requested, double consumed, double percent, MetricStatus status) => new(requested, consumed, percent, 80, 90, status);

    private static string Text(AngleSharp.Dom.IElement card, string gauge) =>
        card.QuerySelector($"[data-testid='gauge-{gauge}'] [data-testid='gauge-text']")!.TextContent.Trim();

    private static BunitContext NewContext()
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        // The chart draws its lines once the browser has told it its size; bUnit has no browser, so it answers here.
        context.JSInterop.Setup<ElementSize>("mudObserveElementSize", _ => true).SetResult(new ElementSize { Width = 700, Height = 350, Timestamp = 1 });
        context.JSInterop.Setup<ElementSize>("mudGetSvgBBox", _ => true).SetResult(new ElementSize { Width = 30, Height = 20, Timestamp = 1 });
        return context;
    }
}
