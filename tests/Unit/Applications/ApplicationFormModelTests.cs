using Platform.Domain.Applications;
using Platform.Domain.Metrics;
using Platform.Portal.Applications;

namespace Platform.Tests.Applications;

/// <summary>The settings form's copy of an application's settings: what it starts from and what it sends back.</summary>
public sealed class ApplicationFormModelTests
{
    [Fact]
    public void NewForm_StartsFromTheDefaults_AndSendsNoStorage_AndTheDefaultThresholds()
    {
        var form = new ApplicationFormModel { Name = "web", Url = "/srv/git/web.git", StartCommand = "npm start" };

        var (settings, _, errors) = ApplicationRules.Resolve(form.ToInput(), null);

        Assert.Empty(errors);
        Assert.Null(form.Storage);
        Assert.Null(settings.Storage);
        Assert.Equal(MetricThresholds.Defaults, settings.MetricThresholds);
    }

    [Fact]
    public void SavedForm_KeepsTheStorageAndThresholdsItWasGiven_AndAnEmptyStorageClearsIt()
    {
        var existing = ApplicationRules.Defaults with
        {
            Name = "web",
            GitRepository = new GitSource("/srv/git/web.git", "main", "/"),
            StartCommand = "npm start",
            Storage = 5,
            MetricThresholds = MetricThresholds.Defaults with { Cpu = new MetricThreshold(60, 70), Storage = new MetricThreshold(50, 99) },
        };
        var form = ApplicationFormModel.From(existing);
        form.MemoryThreshold.Alert = 97;

        var (saved, _, errors) = ApplicationRules.Resolve(form.ToInput(), existing);

        Assert.Empty(errors);
        Assert.Equal(5, saved.Storage);
        Assert.Equal(new MetricThreshold(60, 70), saved.MetricThresholds.Cpu);
        Assert.Equal(new MetricThreshold(50, 99), saved.MetricThresholds.Storage);
        Assert.Equal(new MetricThreshold(80, 97), saved.MetricThresholds.Memory);
        form.Storage = null;
        Assert.Null(ApplicationRules.Resolve(form.ToInput(), saved).Settings.Storage);
    }

    [Fact]
    public void AnAlertBelowItsWarning_IsRefusedOnItsField()
    {
        var form = new ApplicationFormModel { Name = "web", Url = "/srv/git/web.git", StartCommand = "npm start" };
        form.ScaleThreshold.Alert = form.ScaleThreshold.Warning - 1;

        var (_, _, errors) = ApplicationRules.Resolve(form.ToInput(), null);

        Assert.Contains("metric_thresholds.scale.alert_threshold_in_percent", errors.Keys);
    }
}
