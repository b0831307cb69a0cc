using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.SignalR;
using Platform.Domain.Access;
using Platform.Domain.Tokens;

namespace Platform.Portal.Live;

/// <summary>
/// Who listens to what on the live hub, checked again every 30 seconds: a member removed from an organization,
/// or a token revoked or expired, stops receiving within that time instead of for as long as the socket stays open.
/// </summary>
public sealed partial class LiveSubscriptions(IHubContext<LiveHub> hub, IServiceScopeFactory scopes, ILogger<LiveSubscriptions> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, Connection> _connections = new();

    private sealed record Connection(ClaimsPrincipal User, ConcurrentDictionary<string, Resource> Groups);

    public void Add(string connectionId, ClaimsPrincipal user, string group, Resource resource) =>
        _connections.GetOrAdd(connectionId, _ => new Connection(user, new ConcurrentDictionary<string, Resource>())).Groups[group] = resource;

    public void Remove(string connectionId, string group)
    {
        if (_connections.TryGetValue(connectionId, out var connection))
        {
            connection.Groups.TryRemove(group, out _);
        }
    }

    public void Forget(string connectionId) => _connections.TryRemove(connectionId, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogSweepFailure(exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Takes every connection out of the groups its caller may no longer read.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var access = scope.ServiceProvider.GetRequiredService<TenantAccess>();
        var tokens = scope.ServiceProvider.GetRequiredService<ApiTokenService>();
        foreach (var (connectionId, connection) in _connections)
        {
            var tokenActive = !Guid.TryParse(connection.User.FindFirstValue(PlatformClaims.TokenId), out var tokenId)
                || await tokens.IsActiveAsync(tokenId, cancellationToken);
            foreach (var (group, resource) in connection.Groups)
            {
                if (!tokenActive || !(await access.CheckAsync(connection.User.ToCaller(), resource, Permission.Read, cancellationToken)).IsSuccess)
                {
                    connection.Groups.TryRemove(group, out _);
                    await hub.Groups.RemoveFromGroupAsync(connectionId, group, cancellationToken);
                    await hub.Clients.Client(connectionId).SendAsync("unsubscribed", new { group, reason = "Access to it ended." }, cancellationToken);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the live hub's subscriptions failed")]
    private partial void LogSweepFailure(Exception exception);
}
