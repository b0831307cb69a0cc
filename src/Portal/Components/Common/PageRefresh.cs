namespace Platform.Portal.Components.Common;

/// <summary>
/// Refreshes a live page every few seconds while it is open (interactive only: start it from OnAfterRenderAsync).
/// Status, deployment progress and logs are read again through the same services; issue 7's push replaces the polling.
/// </summary>
public sealed class PageRefresh : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Start(TimeSpan period, Func<Task> refresh)
    {
        _loop ??= RunAsync(period, refresh);
    }

    private async Task RunAsync(TimeSpan period, Func<Task> refresh)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await refresh();
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
            // The circuit went away between two ticks.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stop.Dispose();
    }
}
