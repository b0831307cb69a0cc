using Platform.Portal.Runtime.Sandbox;

namespace Platform.Portal.Runtime;

/// <summary>
/// Every period (Runtime:StorageSampleSeconds), measures what each running instance's files take: the build its
/// release runs from (its /app, shared by the release's instances and counted for each) and its private /tmp. One
/// application at a time, each count as the application's uid in a sandbox (<see cref="LocalSandbox.SizesAsync"/>),
/// so a walk of a hostile tree costs its own uid and the timeout, not the portal; an application whose count fails
/// keeps its last figures and is counted less often, so it cannot delay every other one's at each pass.
/// </summary>
public sealed partial class StorageMeter(LocalRuntimeSettings settings, LocalApplications applications, LocalBuilds builds, LocalSandbox sandbox,
    RuntimeIdentities identities, ILogger<StorageMeter> logger)
{
    private const double BytesPerGb = 1024d * 1024 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Per application whose last measurement failed: the passes to skip still, and the skip it was given.</summary>
    private readonly Dictionary<Guid, (int Skip, int Penalty)> _backOff = [];

    public async Task RunAsync(CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                foreach (var application in applications.All)
                {
                    var backOff = _backOff.GetValueOrDefault(application.Id);
                    if (backOff.Skip > 0)
                    {
                        _backOff[application.Id] = backOff with { Skip = backOff.Skip - 1 };
                        continue;
                    }

                    try
                    {
                        await MeasureAsync(application, token);
                        _backOff.Remove(application.Id);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        // A tree that takes du past its timeout (or a uid that cannot start it) costs every other
                        // application's measurement that long: it is measured less often, down to once in 16 passes.
                        var penalty = Math.Min(16, Math.Max(1, backOff.Penalty * 2));
                        _backOff[application.Id] = (penalty, penalty);
                        LogMeasureFailure(exception, application.Id);
                    }
                }

                foreach (var gone in _backOff.Keys.Where(id => !applications.TryGet(id, out _)).ToList())
                {
                    _backOff.Remove(gone);
                }

                await Task.Delay(settings.StoragePeriod, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task MeasureAsync(LocalApplication application, CancellationToken token)
    {
        foreach (var release in new[] { application.Current, application.Pending }.OfType<LocalRelease>())
        {
            List<LocalInstance> instances;
            lock (release)
            {
                instances = [.. release.Instances];
            }

            var measured = instances.Where(i => i.Scope is not null).ToList();
            if (measured.Count == 0)
            {
                continue;
            }

            // The build once, then each instance's /tmp (none without a sandbox: it shares the host's).
            var folders = new List<string> { builds.FolderOf(release.BuildId) };
            folders.AddRange(measured.Select(i => i.Scope!.Temporary ?? ""));
            var sizes = await sandbox.SizesAsync(identities.For(release.ApplicationId), folders, Timeout, token);
            if (sizes.Any(size => size is null))
            {
                throw new Platform.Domain.Runtime.RuntimeFailureException("du could not count every folder; the last figures are kept.");
            }

            for (var i = 0; i < measured.Count; i++)
            {
                var temporary = measured[i].Scope!.Temporary is null ? 0 : sizes[i + 1];
                measured[i].StorageGb = sizes[0] is { } build && temporary is { } own ? (build + own) / BytesPerGb : measured[i].StorageGb;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Measuring the storage of application {ApplicationId} failed")]
    private partial void LogMeasureFailure(Exception exception, Guid applicationId);
}
