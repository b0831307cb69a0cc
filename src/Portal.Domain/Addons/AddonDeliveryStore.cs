using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Domain.Common;
using Platform.Domain.Deployments;
using Platform.Domain.Events;
using Platform.Domain.Live;
using Platform.Domain.Services;

namespace Platform.Domain.Addons;

/// <summary>An attempt to send, as the job or the sweep asks for it: the delivery and its attempt number (1-based).</summary>
public sealed record DeliveryAttempt(Guid DeliveryId, int Attempt, DateTimeOffset At);

/// <summary>An attempt claimed for sending: the delivery, the addon it goes to (null once uninstalled), its secret settings.</summary>
public sealed record ClaimedAttempt(AddonDelivery Delivery, ProjectAddon? Addon, IReadOnlyDictionary<string, string> Secrets);

/// <summary>How one attempt went, in words of ours (never the receiver's answer as it is, never a secret).</summary>
/// <param name="Final">No retry can help (the addon was uninstalled, its settings are missing): recorded Failed at once.</param>
public sealed record AttemptOutcome(bool Delivered, int? HttpStatus, string? Error, int DurationMs, bool Final = false);

/// <summary>
/// The delivery log's writes, in one place for the dispatcher, the job and the test notification: events are
/// expanded into deliveries; each attempt is claimed (one conditional update, committed) before it is sent and
/// recorded after; the sweep finds what a restart left. Every committed change is announced to the live pages.
/// </summary>
public sealed class AddonDeliveryStore(
    IDbContextFactory<PlatformDbContext> dbFactory, ISecretProtector protector, IOptions<AddonSettings> options, ILiveNotifier live, TimeProvider clock)
{
    public const int BatchSize = 100;

    /// <summary>How long past its time a pending attempt waits for its job before the sweep enqueues it again.</summary>
    public static readonly TimeSpan LostJobGrace = TimeSpan.FromMinutes(1);

    /// <summary>What an attempt may take beyond the timeout before the sweep counts it interrupted.</summary>
    public static readonly TimeSpan InterruptedMargin = TimeSpan.FromMinutes(1);

    public const string InterruptedError = "interrupted: the portal stopped during the attempt";

    private AddonSettings Settings => options.Value;

    /// <summary>
    /// Takes a batch of outbox entries (skipping those another portal holds), turns each event into one delivery per
    /// installed addon whose regex selects its environment, and deletes the entries, in one transaction. Answers the
    /// first attempts to enqueue, and how many entries it took (a full batch: call again).
    /// </summary>
    public async Task<(IReadOnlyList<DeliveryAttempt> Attempts, int Taken)> ExpandOutboxAsync(Uri portal, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var entries = await db.AddonOutbox
            .FromSql($"SELECT * FROM addon_outbox ORDER BY created_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED")
            .AsNoTracking().ToListAsync(cancellationToken);
        if (entries.Count == 0)
        {
            return ([], 0);
        }

        var ids = entries.Select(e => e.EventId).ToList();
        var events = await db.Events.AsNoTracking().Where(e => ids.Contains(e.Id)).OrderBy(e => e.Sequence).ToListAsync(cancellationToken);
        var environmentIds = events.Select(e => e.EnvironmentId).OfType<Guid>().Distinct().ToList();
        var environments = await db.Environments.AsNoTracking().Where(e => environmentIds.Contains(e.Id))
            .Select(e => new NotifiedEnvironment(e.Id, e.Name, e.ProjectId, e.Project!.Name, e.Project.OrganizationId))
            .ToDictionaryAsync(e => e.Id, cancellationToken);
        var projectIds = environments.Values.Select(e => e.ProjectId).Distinct().ToList();
        var addons = await db.ProjectAddons.AsNoTracking().Where(a => projectIds.Contains(a.ProjectId)).ToListAsync(cancellationToken);
        var patterns = addons.ToDictionary(a => a.Id, a => EnvironmentPattern.Stored(a.MatchingEnvironmentsRegex));

        var now = clock.GetUtcNow();
        var created = new List<(AddonDelivery Delivery, DeliveryAttempt Attempt)>();
        foreach (var e in events)
        {
            if (e.EnvironmentId is not { } environmentId || !environments.TryGetValue(environmentId, out var environment))
            {
                continue;
            }

            var selected = addons.Where(a => a.ProjectId == environment.ProjectId && Selects(patterns[a.Id], environment.Name)).ToList();
            if (selected.Count == 0 || await NotificationAsync(db, e, environment, portal, cancellationToken) is not { } notification)
            {
                continue;
            }

            var payload = notification.ToJson();
            foreach (var addon in selected)
            {
                var delivery = new AddonDelivery
                {
                    OrganizationId = environment.OrganizationId,
                    ProjectId = environment.ProjectId,
                    Kind = addon.Kind,
                    Event = notification.Event,
                    EnvironmentId = environment.Id,
                    SourceEventId = e.Id,
                    Payload = payload,
                    NextAttemptAt = now,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                var inserted = await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO addon_delivery (id, organization_id, project_id, kind, event, environment_id, source_event_id, payload, status, attempts, next_attempt_at, created_at, updated_at)
                    VALUES ({delivery.Id}, {delivery.OrganizationId}, {delivery.ProjectId}, {delivery.Kind.ToString()}, {delivery.Event}, {environment.Id}, {e.Id},
                            {payload}::jsonb, {nameof(AddonDeliveryStatus.Pending)}, 0, {now}, {now}, {now})
                    ON CONFLICT (source_event_id, kind) DO NOTHING
                    """, cancellationToken);
                if (inserted == 1)
                {
                    created.Add((delivery, new DeliveryAttempt(delivery.Id, 1, now)));
                }
            }
        }

        await db.AddonOutbox.Where(o => ids.Contains(o.EventId)).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var (delivery, _) in created)
        {
            Announce(delivery);
        }

        return (created.Select(c => c.Attempt).ToList(), entries.Count);
    }

    /// <summary>Adds a TEST delivery of a sample document for the addon's project; answers its first attempt.</summary>
    public async Task<DeliveryAttempt> AddTestAsync(ProjectAddon addon, Uri portal, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var project = await db.Projects.AsNoTracking().Where(p => p.Id == addon.ProjectId).Select(p => new NotificationRef(p.Id, p.Name)).FirstAsync(cancellationToken);
        var environment = await db.Environments.AsNoTracking().Where(e => e.ProjectId == addon.ProjectId && !e.Archived).OrderBy(e => e.Name)
            .Select(e => new NotificationRef(e.Id, e.Name)).FirstOrDefaultAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var commit = new NotificationCommit("0000000", "A sample commit: nothing was deployed.");
        var notification = new AddonNotification(AddonEvents.Test, AddonNotices.Title(AddonEvents.Test),
            $"A test notification from the portal for the project {project.Name}: if you read this, the addon works.", now, project, environment, null,
            [new NotificationService(Guid.Empty, "web", "APPLICATION", "RUNNING", commit)], commit, new Uri(portal, $"project/{project.Id}"));
        var delivery = new AddonDelivery
        {
            OrganizationId = addon.OrganizationId,
            ProjectId = addon.ProjectId,
            Kind = addon.Kind,
            Event = AddonEvents.Test,
            EnvironmentId = environment?.Id,
            Payload = notification.ToJson(),
            NextAttemptAt = now,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.AddonDeliveries.Add(delivery);
        await db.SaveChangesAsync(cancellationToken);
        Announce(delivery);
        return new DeliveryAttempt(delivery.Id, 1, now);
    }

    /// <summary>
    /// Claims the attempt (Pending with one attempt fewer → Sending), committed before anything is sent: a second
    /// job of the same attempt, or one after a restart, finds nothing to claim. Null when it is not this attempt's turn.
    /// </summary>
    public async Task<ClaimedAttempt?> ClaimAsync(Guid deliveryId, int attempt, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var claimed = await db.AddonDeliveries
            .Where(d => d.Id == deliveryId && d.Status == AddonDeliveryStatus.Pending && d.Attempts == attempt - 1)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, AddonDeliveryStatus.Sending)
                .SetProperty(d => d.Attempts, attempt)
                .SetProperty(d => d.AttemptStartedAt, now)
                .SetProperty(d => d.NextAttemptAt, (DateTimeOffset?)null)
                .SetProperty(d => d.UpdatedAt, now), cancellationToken);
        if (claimed == 0)
        {
            return null;
        }

        var delivery = await db.AddonDeliveries.AsNoTracking().FirstAsync(d => d.Id == deliveryId, cancellationToken);
        Announce(delivery);
        var addon = await db.ProjectAddons.AsNoTracking().FirstOrDefaultAsync(a => a.ProjectId == delivery.ProjectId && a.Kind == delivery.Kind, cancellationToken);
        return new ClaimedAttempt(delivery, addon, addon is null ? new Dictionary<string, string>() : AddonSecrets.Read(addon, protector));
    }

    /// <summary>
    /// Records how the claimed attempt went: Delivered; Pending with its next attempt after the back-off; or Failed
    /// after the last. Answers the next attempt to schedule, if any. Nothing changes when the attempt is no longer the
    /// one in flight (the sweep counted it interrupted meanwhile).
    /// </summary>
    public async Task<DeliveryAttempt?> RecordAsync(Guid deliveryId, int attempt, AttemptOutcome outcome, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var retry = !outcome.Delivered && !outcome.Final && attempt < Settings.MaxAttempts;
        var next = retry ? now + Settings.RetryDelay(attempt) : (DateTimeOffset?)null;
        var status = outcome.Delivered ? AddonDeliveryStatus.Delivered : retry ? AddonDeliveryStatus.Pending : AddonDeliveryStatus.Failed;
        var error = outcome.Error is null ? null : Texts.Cut(outcome.Error, AddonDelivery.MaxErrorLength);
        var recorded = await db.AddonDeliveries
            .Where(d => d.Id == deliveryId && d.Status == AddonDeliveryStatus.Sending && d.Attempts == attempt)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, status)
                .SetProperty(d => d.HttpStatus, outcome.HttpStatus)
                .SetProperty(d => d.Error, error)
                .SetProperty(d => d.DurationMs, outcome.DurationMs)
                .SetProperty(d => d.NextAttemptAt, next)
                .SetProperty(d => d.UpdatedAt, now), cancellationToken);
        if (recorded == 0)
        {
            return null;
        }

        if (await db.AddonDeliveries.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deliveryId, cancellationToken) is { } delivery)
        {
            Announce(delivery);
        }

        return next is { } at ? new DeliveryAttempt(deliveryId, attempt + 1, at) : null;
    }

    /// <summary>
    /// What a restart (or a lost job) left: pending attempts a minute past their time that no job claimed are answered
    /// to enqueue again; attempts still Sending past the timeout and a margin are recorded as failed (interrupted) and
    /// their retry is answered. An interrupted attempt is never sent again as the same attempt.
    /// </summary>
    public async Task<IReadOnlyList<DeliveryAttempt>> SweepAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var attempts = new List<DeliveryAttempt>();

        var overdue = now - LostJobGrace;
        var lost = await db.AddonDeliveries.AsNoTracking()
            .Where(d => d.Status == AddonDeliveryStatus.Pending && d.NextAttemptAt < overdue)
            .OrderBy(d => d.NextAttemptAt).Take(BatchSize).Select(d => new { d.Id, d.Attempts, d.OrganizationId, d.ProjectId }).ToListAsync(cancellationToken);
        foreach (var found in lost)
        {
            // Moving its time on keeps the next sweep from enqueuing it again while this job waits for a worker.
            var taken = await db.AddonDeliveries
                .Where(d => d.Id == found.Id && d.Status == AddonDeliveryStatus.Pending && d.Attempts == found.Attempts && d.NextAttemptAt < overdue)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, now), cancellationToken);
            if (taken == 1)
            {
                live.Publish(new AddonDeliveryChanged(found.OrganizationId, found.ProjectId, found.Id));
                attempts.Add(new DeliveryAttempt(found.Id, found.Attempts + 1, now));
            }
        }

        var stale = now - TimeSpan.FromSeconds(Settings.TimeoutSeconds) - InterruptedMargin;
        var interrupted = await db.AddonDeliveries.AsNoTracking()
            .Where(d => d.Status == AddonDeliveryStatus.Sending && d.AttemptStartedAt < stale)
            .OrderBy(d => d.AttemptStartedAt).Take(BatchSize).Select(d => new { d.Id, d.Attempts }).ToListAsync(cancellationToken);
        foreach (var found in interrupted)
        {
            if (await RecordAsync(found.Id, found.Attempts, new AttemptOutcome(false, null, InterruptedError, 0), cancellationToken) is { } next)
            {
                attempts.Add(next);
            }
        }

        return attempts;
    }

    private void Announce(AddonDelivery delivery) => live.Publish(new AddonDeliveryChanged(delivery.OrganizationId, delivery.ProjectId, delivery.Id));

    private static bool Selects(Regex? pattern, string environmentName) => pattern is not null && EnvironmentPattern.Matches(pattern, environmentName);

    private sealed record NotifiedEnvironment(Guid Id, string Name, Guid ProjectId, string ProjectName, Guid OrganizationId);

    /// <summary>The event's document; null when addons are not to hear of it after all (an application's exit that is no crash loop yet).</summary>
    private static async Task<AddonNotification?> NotificationAsync(
        PlatformDbContext db, PlatformEvent e, NotifiedEnvironment environment, Uri portal, CancellationToken cancellationToken)
    {
        var project = new NotificationRef(environment.ProjectId, environment.ProjectName);
        var where = new NotificationRef(environment.Id, environment.Name);
        var link = new Uri(portal, $"environment/{environment.Id}");
        if (e.ServiceType == ServiceType.Environment)
        {
            var addonEvent = AddonNotices.DeploymentEvent(e.State)!;
            var queued = addonEvent == AddonEvents.DeploymentQueued;
            var deployments = db.EnvironmentDeployments.AsNoTracking().Include(d => d.Services).Where(d => d.EnvironmentId == environment.Id);
            // The event has no deployment id: it was written with the deployment's own time (queued or finished), in the same save.
            var deployment = await (queued
                    ? deployments.Where(d => d.CreatedAt <= e.CreatedAt).OrderByDescending(d => d.CreatedAt)
                    : deployments.Where(d => d.FinishedAt <= e.CreatedAt).OrderByDescending(d => d.FinishedAt))
                .ThenByDescending(d => d.Sequence).FirstOrDefaultAsync(cancellationToken);
            var services = deployment?.Services.OrderBy(s => s.Position)
                .Select(s => new NotificationService(s.ServiceId, s.ServiceName, Upper(s.ServiceType), queued ? "QUEUED" : Upper(s.State), CommitOf(s)))
                .ToList() ?? [];
            return new AddonNotification(addonEvent, AddonNotices.Title(addonEvent), e.Message, e.CreatedAt, project, where,
                deployment is null ? null : new NotificationDeployment(deployment.Id, Upper(deployment.Kind), e.State),
                services, services.Select(s => s.Commit).FirstOrDefault(c => c is not null), link);
        }

        if (!await TurnsToErrorAsync(db, e, environment, cancellationToken))
        {
            return null;
        }

        var live = await db.Applications.AsNoTracking().Where(a => a.Id == e.ServiceId)
            .SelectMany(a => db.ServiceDeployments.Where(s => s.Id == a.LiveDeploymentId)).FirstOrDefaultAsync(cancellationToken);
        var commit = live is null ? null : CommitOf(live);
        return new AddonNotification(AddonEvents.ApplicationError, AddonNotices.Title(AddonEvents.ApplicationError), e.Message, e.CreatedAt, project, where, null,
            [new NotificationService(e.ServiceId, e.ServiceName, Upper(ServiceType.Application), "ERROR", commit)], commit, link);
    }

    /// <summary>
    /// An out-of-memory kill, or the exit that makes <see cref="AddonNotices.CrashLoopExits"/> within the crash window,
    /// turns the application's status to ERROR; told once per application per window.
    /// </summary>
    private static async Task<bool> TurnsToErrorAsync(PlatformDbContext db, PlatformEvent e, NotifiedEnvironment environment, CancellationToken cancellationToken)
    {
        var since = e.CreatedAt - AddonNotices.CrashWindow;
        if (e.State == AddonNotices.InstanceExited)
        {
            var exits = await db.Events.CountAsync(x => x.ServiceId == e.ServiceId && (x.State == AddonNotices.InstanceExited || x.State == AddonNotices.OomKilled)
                && x.CreatedAt > since && x.CreatedAt <= e.CreatedAt, cancellationToken);
            if (exits < AddonNotices.CrashLoopExits)
            {
                return false;
            }
        }

        var application = e.ServiceId.ToString();
        var told = await db.Database.SqlQuery<int>($"""
            SELECT count(*)::int AS "Value" FROM addon_delivery
            WHERE project_id = {environment.ProjectId} AND event = {AddonEvents.ApplicationError} AND created_at > {since}
              AND payload @> jsonb_build_object('services', jsonb_build_array(jsonb_build_object('id', {application}::text)))
            """).SingleAsync(cancellationToken);
        return told == 0;
    }

    private static NotificationCommit? CommitOf(ServiceDeployment service) =>
        service.CommitShortId is { } shortId ? new NotificationCommit(shortId, service.CommitMessage) : null;

    private static string Upper<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.SnakeCaseUpper.ConvertName(value.ToString());
}
