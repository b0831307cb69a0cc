using System.Collections.Concurrent;

namespace Platform.Domain.Deployments;

/// <summary>
/// In-process signals to the <see cref="DeploymentEngine"/>: a request was queued (look now rather than at the next
/// poll), or a deployment in progress should abort. The database stays the truth; these only make it quick.
/// </summary>
public sealed class DeploymentSignals : IDisposable
{
    private const long UnclaimedAbortLifetimeMs = 60_000;

    private readonly SemaphoreSlim _wake = new(0);
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _ended = new();

    /// <summary>Abort requests the engine has not registered yet, with when they came (<see cref="Environment.TickCount64"/>).</summary>
    private readonly ConcurrentDictionary<Guid, long> _abortRequested = new();

    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _wake.WaitAsync(timeout, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Aborts a deployment in progress. The engine marks a deployment in progress before it registers it: a request
    /// that comes in between is kept for <see cref="Register"/>. Call it only for deployments in progress (one aborted
    /// while queued never registers); requests never picked up are forgotten after a minute.
    /// </summary>
    public void Abort(Guid deploymentId)
    {
        if (Cancel(deploymentId))
        {
            return;
        }

        var now = Environment.TickCount64;
        foreach (var (id, at) in _abortRequested)
        {
            if (now - at > UnclaimedAbortLifetimeMs)
            {
                _abortRequested.TryRemove(id, out _);
            }
        }

        _abortRequested[deploymentId] = now;

        // Registered meanwhile, maybe after Register looked for a request: cancel it here.
        if (_running.ContainsKey(deploymentId) && _abortRequested.TryRemove(deploymentId, out _))
        {
            Cancel(deploymentId);
        }
    }

    private bool Cancel(Guid deploymentId)
    {
        if (!_running.TryGetValue(deploymentId, out var source))
        {
            return false;
        }

        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It ended (and was unregistered) meanwhile: nothing is left to abort.
        }

        return true;
    }

    /// <summary>A token that an abort of this deployment cancels, including one requested just before.</summary>
    internal CancellationTokenSource Register(Guid deploymentId, CancellationToken stopping)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _running[deploymentId] = source;
        if (_abortRequested.TryRemove(deploymentId, out _))
        {
            source.Cancel();
        }

        return source;
    }


    internal void Unregister(Guid deploymentId)
    {
        if (_running.TryRemove(deploymentId, out var source))
        {
            source.Dispose();
        }

        _abortRequested.TryRemove(deploymentId, out _);
    }

    /// <summary>Completes when the engine says the deployment ended (<see cref="Ended"/>); a waiter checks the database as well.</summary>
    public Task WhenEnded(Guid deploymentId) =>
        _ended.GetOrAdd(deploymentId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>The engine finished carrying out the deployment (whatever its outcome).</summary>
    internal void Ended(Guid deploymentId)
    {
        if (_ended.TryRemove(deploymentId, out var waiters))
        {
            waiters.TrySetResult();
        }
    }

    public void Dispose() => _wake.Dispose();
}
