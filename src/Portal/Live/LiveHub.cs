using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Platform.Domain.Access;

namespace Platform.Portal.Live;

/// <summary>
/// The live hub at /hubs/live, for the browser and for third parties (cookie, or an API token as a Bearer header or
/// access_token). A client subscribes to an environment or a service it may read (the same rule and the same 404
/// as the API) and then receives "status", "deployment", "events" and "logs" as they happen, and an application's
/// subscribers "metrics" at every sample.
/// </summary>
[Authorize(Policy = Policies.Live)]
public sealed class LiveHub(TenantAccess access, LiveSubscriptions subscriptions) : Hub
{
    public const string Path = ApiTokenAuthenticationHandler.LiveHubPath;

    public Task SubscribeEnvironment(Guid environmentId) => SubscribeAsync(Resource.Environment(environmentId), LiveGroups.Environment(environmentId));

    public Task SubscribeApplication(Guid applicationId) => SubscribeAsync(Resource.Application(applicationId), LiveGroups.Service(applicationId));

    public Task SubscribeDatabase(Guid databaseId) => SubscribeAsync(Resource.Database(databaseId), LiveGroups.Service(databaseId));

    public Task UnsubscribeEnvironment(Guid environmentId) => UnsubscribeAsync(LiveGroups.Environment(environmentId));

    public Task UnsubscribeApplication(Guid applicationId) => UnsubscribeAsync(LiveGroups.Service(applicationId));

    public Task UnsubscribeDatabase(Guid databaseId) => UnsubscribeAsync(LiveGroups.Service(databaseId));

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        subscriptions.Forget(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    private Task UnsubscribeAsync(string group)
    {
        subscriptions.Remove(Context.ConnectionId, group);
        return Groups.RemoveFromGroupAsync(Context.ConnectionId, group);
    }

    private async Task SubscribeAsync(Resource resource, string group)
    {
        var allowed = await access.CheckAsync(Context.User!.ToCaller(), resource, Permission.Read);
        if (!allowed.IsSuccess)
        {
            // The message is what a client sees; 404 also for what exists in another organization.
            throw new HubException($"404: {resource.Noun} was not found.");
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, group);
        subscriptions.Add(Context.ConnectionId, Context.User!, group, resource);
    }
}

public static class LiveGroups
{
    public static string Environment(Guid id) => $"environment:{id}";

    public static string Service(Guid id) => $"service:{id}";
}
