using Platform.Portal.Runtime.Sandbox;

namespace Platform.Portal.Runtime;

/// <summary>
/// Every period (Runtime:StorageSampleSeconds), measures what each running instance's files take: the build its
/// release runs from (its /app, shared by the release's instances and counted for each) and its private /tmp. One
/// application at a time, each count as the application's uid in a sandbox (<see cref="LocalSandbox.SizesAsync"/>),
/// so a walk of a hostile tree costs its own uid and the timeout, not the portal.
/// </summary>
public sealed partial class StorageMeter(LocalRuntimeSettings settings, LocalApplications applications, LocalBuilds builds, LocalSandbox sandbox,
    RuntimeIdentities identities, ILogger<StorageMeter> logger)
{
    private const double BytesPerGb = 1024d * 1024 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task RunAsync(CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                foreach (var application in applications.All)
                {
                    try
                    {
                        await MeasureAsync(application, token);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        LogMeasureFailure(exception, application.Id);
                    }
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
