using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Platform.Domain.Deployments;
using Platform.Domain.Environments;
using Platform.Domain.Events;
using Platform.Domain.Live;
using Platform.Domain.Logs;
using Platform.Domain.Services;
using Platform.Portal.Deployments;
using Platform.Portal.Events;
using Platform.Portal.Logs;
using Platform.Portal.Metrics;

namespace Platform.Portal.Live;

/// <summary>
/// Sends what the live bus publishes to the hub's groups, in the API's shapes, off the publishers' threads. Access
/// was checked when each client subscribed; the bus only carries committed changes.
/// </summary>
public sealed partial class LiveHubForwarder(
    LiveBus bus, IHubContext<LiveHub> hub, IServiceScopeFactory scopes, ILogger<LiveHubForwarder> logger) : BackgroundService
{
    /// <summary>Status of a service or of its environment, as the API's status endpoints answer it.</summary>
    public sealed record StatusMessage(Guid EnvironmentId, EventApi.ServiceResponse? Service, ServiceStatus Status);

    /// <summary>
    /// Characters of log lines waiting to be sent, at most (about 32 MB as UTF-16). Sending is slower than storing (each
    /// line is explained first): an application printing long lines fast kept 500 MB of them waiting here. Lines over
    /// it are not sent live; they are stored all the same, and a client reading the log gets them.
    /// </summary>
    public const long MaxQueuedLogCharacters = 16L * 1024 * 1024;

    // Wait, not DropOldest: TryWrite then says when the queue is full, so what is counted is what waits.
    private readonly Channel<LiveMessage> _messages = Channel.CreateBounded<LiveMessage>(
        new BoundedChannelOptions(50_000) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    private long _queuedLogCharacters;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = bus.Subscribe(Enqueue);
        try
        {
            await foreach (var message in _messages.Reader.ReadAllAsync(stoppingToken))
            {
                Interlocked.Add(ref _queuedLogCharacters, -Size(message));
                try
                {
                    await ForwardAsync(message, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogForwardFailure(exception, message.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Enqueue(LiveMessage message)
    {
        var size = Size(message);
        if ((size > 0 && Interlocked.Add(ref _queuedLogCharacters, size) > MaxQueuedLogCharacters) || !_messages.Writer.TryWrite(message))
        {
            Interlocked.Add(ref _queuedLogCharacters, -size);
        }
    }

    private static long Size(LiveMessage message) => message is LogsAdded logs ? logs.Lines.Sum(l => (long)l.Message.Length + 64) : 0;

    private async Task ForwardAsync(LiveMessage message, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        switch (message)
        {
            case LogsAdded logs:
                var lines = await services.GetRequiredService<LogService>().DescribeAsync(logs.Lines, cancellationToken);
                await hub.Clients.Group(LiveGroups.Service(logs.ServiceId!.Value)).SendAsync("logs", lines.Select(LogApi.ToResponse).ToList(), cancellationToken);
                break;
            case DeploymentChanged changed when changed.EnvironmentId is { } environmentId:
                var deployment = await services.GetRequiredService<DeploymentService>().FindAsync(environmentId, changed.EnvironmentDeploymentId, cancellationToken);
                if (deployment is not null)
                {
                    var response = DeploymentApi.ToResponse(deployment);
                    await hub.Clients.Groups([LiveGroups.Environment(environmentId), .. deployment.Services.Select(s => LiveGroups.Service(s.Service.Id))])
                        .SendAsync("deployment", response, cancellationToken);
                }

                break;
            case MetricsSampled sampled when sampled.ServiceId is { } applicationId:
                await hub.Clients.Group(LiveGroups.Service(applicationId)).SendAsync("metrics", MetricsApi.ToResponse(sampled), cancellationToken);
                break;
            case EventsAdded added:
                var views = await services.GetRequiredService<EventService>().DescribeAsync(added.Events, cancellationToken);
                var groups = Groups(added.EnvironmentId, added.ServiceId);
                await hub.Clients.Groups(groups).SendAsync("events", views.Select(EventApi.ToResponse).ToList(), cancellationToken);
                await SendStatusAsync(services, added, cancellationToken);
                break;
        }
    }

    /// <summary>A service's state change (its event) also moves its environment's status: both are sent.</summary>
    private async Task SendStatusAsync(IServiceProvider services, EventsAdded added, CancellationToken cancellationToken)
    {
        if (added.EnvironmentId is not { } environmentId)
        {
            return;
        }

        var last = added.Events[^1];
        if (last.ServiceType is ServiceType.Application or ServiceType.Database && Enum.TryParse<ServiceState>(last.State.Replace("_", "", StringComparison.Ordinal), true, out _))
        {
            var service = new EventApi.ServiceResponse(last.ServiceType, last.ServiceId, last.ServiceName);
            await hub.Clients.Groups(Groups(environmentId, last.ServiceId))
                .SendAsync("status", new StatusMessage(environmentId, service, new ServiceStatus(last.State, last.SimpleState, last.Message)), cancellationToken);
        }

        if (await services.GetRequiredService<EnvironmentService>().CurrentStatusAsync(environmentId, cancellationToken) is { } status)
        {
            await hub.Clients.Group(LiveGroups.Environment(environmentId)).SendAsync("status", new StatusMessage(environmentId, null, status), cancellationToken);
        }
    }

    private static List<string> Groups(Guid? environmentId, Guid? serviceId)
    {
        var groups = new List<string>();
        if (environmentId is { } environment)
        {
            groups.Add(LiveGroups.Environment(environment));
        }

        if (serviceId is { } service && service != environmentId)
        {
            groups.Add(LiveGroups.Service(service));
        }

        return groups;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A live {Message} could not be forwarded to the hub")]
    private partial void LogForwardFailure(Exception exception, string message);
}
