using Platform.Domain.Live;

namespace Platform.Portal.Components.Common;

/// <summary>
/// Keeps a live page current: when the bus carries a change it cares about, the page reads again (at most every
/// 150 ms, however many changes arrive), and every so often anyway for what the bus does not carry (an instance
/// that became ready again). Start it from OnAfterRender: only interactive pages have a circuit to refresh.
/// </summary>
public sealed class LiveUpdates : IAsyncDisposable
{
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(150);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _changed = new(0);
    private IDisposable? _subscription;
    private Task? _loop;

    public void Start(LiveBus bus, Func<LiveMessage, bool> matters, Func<Task> refresh, TimeSpan fallback, ILogger logger)
    {
        if (_loop is not null)
        {
            return;
        }

        _subscription = bus.Subscribe(message =>
        {
            if (matters(message) && _changed.CurrentCount == 0)
            {
                _changed.Release();
            }
        });
        _loop = RunAsync(refresh, fallback, logger);
    }

    private async Task RunAsync(Func<Task> refresh, TimeSpan fallback, ILogger logger)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (await _changed.WaitAsync(fallback, _stop.Token))
                {
                    await Task.Delay(Coalesce, _stop.Token);
                }

                try
                {
                    await refresh();
                }
                catch (Exception exception) when (exception is not OperationCanceledException and not ObjectDisposedException)
                {
                    // One failed read (the database restarting) must not end the page's live updates: try again later.
                    logger.LogWarning(exception, "A live page could not refresh; it tries again on the next change");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
            // The circuit went away meanwhile.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            // The loop ends on its own exceptions; disposing a page must never throw (it would end the circuit).
            await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _stop.Dispose();
        _changed.Dispose();
    }
}
