using System.Collections.Concurrent;

namespace Platform.Domain.Deployments;

/// <summary>
/// In-process signals to the <see cref="DeploymentEngine"/>: a request was queued (look now rather than at the next
/// poll), or a deployment in progress should abort. The database stays the truth; these only make it quick.
/// </summary>
public sealed class DeploymentSignals : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();
    private readonly ConcurrentDictionary<Guid, bool> _abortRequested = new();

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

    public void Abort(Guid deploymentId)
    {
        _abortRequested[deploymentId] = true;
        if (_running.TryGetValue(deploymentId, out var source))
        {
            source.Cancel();
        }
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

    internal bool IsAbortRequested(Guid deploymentId) => _running.TryGetValue(deploymentId, out var source) && source.IsCancellationRequested;

    internal void Unregister(Guid deploymentId)
    {
        if (_running.TryRemove(deploymentId, out var source))
        {
            source.Dispose();
        }

        _abortRequested.TryRemove(deploymentId, out _);
    }

    public void Dispose() => _wake.Dispose();
}
