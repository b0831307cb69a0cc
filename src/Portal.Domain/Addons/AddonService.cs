using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Domain.Addons;

/// <summary>
/// The addon catalogue of a project, called by the pages and the API alike: what can be installed, installing,
/// changing and removing an addon (OWNER and ADMIN), its delivery log and a test notification.
/// </summary>
public sealed class AddonService(
    IDbContextFactory<PlatformDbContext> dbFactory,
    TenantAccess access,
    ISecretProtector protector,
    IAddonDeliveries deliveries,
    TimeProvider clock,
    IOptions<AddonSettings> options)
{
    public Task<Result<IReadOnlyList<AddonView>>> ListAsync(Caller caller, Guid projectId, CancellationToken cancellationToken = default) =>
        access.WithAsync<IReadOnlyList<AddonView>>(caller, Resource.Project(projectId), Permission.Read, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var installed = await db.ProjectAddons.AsNoTracking().Where(a => a.ProjectId == projectId).ToListAsync(cancellationToken);
            return AddonCatalogue.All.Select(addon => ToView(addon, installed.FirstOrDefault(a => a.Kind == addon.Kind))).ToList();
        }, cancellationToken);

    /// <param name="name">The addon's name, any case (Slack, Webhook, Email).</param>
    public Task<Result<AddonView>> InstallAsync(Caller caller, Guid projectId, string name, AddonRequest request, CancellationToken cancellationToken = default) =>
        access.WithAsync<AddonView>(caller, Resource.Project(projectId), Permission.ManageProjects, async granted =>
        {
            if (AddonCatalogue.Find(name) is not { } addon)
            {
                return UnknownAddon(name);
            }

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (await db.ProjectAddons.AnyAsync(a => a.ProjectId == projectId && a.Kind == addon.Kind, cancellationToken))
            {
                return DomainError.Conflict($"{addon.Name} is already installed on this project: change it instead.");
            }

            var values = Validate(addon, request, request.MatchingEnvironmentsRegex ?? EnvironmentPattern.MatchAll, new([], []));
            if (!values.IsSuccess)
            {
                return values.Error!;
            }

            var now = clock.GetUtcNow();
            var installed = new ProjectAddon
            {
                OrganizationId = granted.OrganizationId,
                ProjectId = projectId,
                Kind = addon.Kind,
                MatchingEnvironmentsRegex = request.MatchingEnvironmentsRegex ?? EnvironmentPattern.MatchAll,
                Settings = values.Value.Public,
                ProtectedSecrets = AddonSecrets.Protect(values.Value.Secrets, protector),
                InstalledBy = caller.PersonId,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.ProjectAddons.Add(installed);
            await SaveAsync(db, granted, projectId, caller, "CREATED", $"Addon {addon.Name} installed.", cancellationToken);
            return ToView(addon, installed);
        }, cancellationToken);

    public Task<Result<AddonView>> ChangeAsync(Caller caller, Guid projectId, string name, AddonRequest request, CancellationToken cancellationToken = default) =>
        access.WithAsync<AddonView>(caller, Resource.Project(projectId), Permission.ManageProjects, async granted =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var found = await FindInstalledAsync(db, projectId, name, cancellationToken);
            if (!found.IsSuccess)
            {
                return found.Error!;
            }

            var (addon, installed) = found.Value;
            var regex = request.MatchingEnvironmentsRegex ?? installed.MatchingEnvironmentsRegex;
            var values = Validate(addon, request, regex, new(installed.Settings, AddonSecrets.Read(installed, protector)));
            if (!values.IsSuccess)
            {
                return values.Error!;
            }

            installed.MatchingEnvironmentsRegex = regex;
            installed.Settings = values.Value.Public;
            installed.ProtectedSecrets = AddonSecrets.Protect(values.Value.Secrets, protector);
            installed.UpdatedAt = clock.GetUtcNow();
            await SaveAsync(db, granted, projectId, caller, "UPDATED", $"Addon {addon.Name} changed.", cancellationToken);
            return ToView(addon, installed);
        }, cancellationToken);

    /// <summary>Removes the addon; its delivery log stays with the project.</summary>
    public Task<Result<bool>> UninstallAsync(Caller caller, Guid projectId, string name, CancellationToken cancellationToken = default) =>
        access.WithAsync<bool>(caller, Resource.Project(projectId), Permission.ManageProjects, async granted =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var found = await FindInstalledAsync(db, projectId, name, cancellationToken);
            if (!found.IsSuccess)
            {
                return found.Error!;
            }

            db.ProjectAddons.Remove(found.Value.Installed);
            await SaveAsync(db, granted, projectId, caller, "DELETED", $"Addon {found.Value.Addon.Name} uninstalled.", cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>The addon's delivery log, with the history paging rules; it outlives an uninstall.</summary>
    public Task<Result<HistoryPage<AddonDeliveryView>>> DeliveriesAsync(Caller caller, Guid projectId, string name, HistoryQuery query, CancellationToken cancellationToken = default) =>
        access.WithAsync<HistoryPage<AddonDeliveryView>>(caller, Resource.Project(projectId), Permission.Read, async _ =>
        {
            if (AddonCatalogue.Find(name) is not { } addon)
            {
                return UnknownAddon(name);
            }

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var page = await HistoryPaging.PageAsync(
                db.AddonDeliveries.AsNoTracking().Where(d => d.ProjectId == projectId && d.Kind == addon.Kind), query, rows => rows, cancellationToken);
            return page.IsSuccess
                ? new HistoryPage<AddonDeliveryView>(page.Value.Page, page.Value.PageSize, page.Value.Total, page.Value.Results.Select(ToView).ToList())
                : page.Error!;
        }, cancellationToken);

    /// <summary>Queues a TEST notification through the real delivery path; answers the delivery's id.</summary>
    public Task<Result<Guid>> SendTestAsync(Caller caller, Guid projectId, string name, CancellationToken cancellationToken = default) =>
        access.WithAsync<Guid>(caller, Resource.Project(projectId), Permission.ManageProjects, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var found = await FindInstalledAsync(db, projectId, name, cancellationToken);
            return found.IsSuccess ? await deliveries.QueueTestAsync(found.Value.Installed, caller, cancellationToken) : found.Error!;
        }, cancellationToken);

    /// <summary>The project's environments and whether the regex selects each (the regex tester); a bad regex is a 400 on its field.</summary>
    public Task<Result<IReadOnlyList<EnvironmentMatch>>> MatchEnvironmentsAsync(Caller caller, Guid projectId, string? regex, CancellationToken cancellationToken = default) =>
        // Installers only: each call compiles and probes a pattern, which costs up to the probes' time limits.
        access.WithAsync<IReadOnlyList<EnvironmentMatch>>(caller, Resource.Project(projectId), Permission.ManageProjects, async _ =>
        {
            var compiled = EnvironmentPattern.Compile(regex);
            if (!compiled.IsSuccess)
            {
                return compiled.Error!;
            }

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var environments = await db.Environments.AsNoTracking().Where(e => e.ProjectId == projectId)
                .OrderBy(e => e.Name).Select(e => new { e.Id, e.Name }).ToListAsync(cancellationToken);
            return environments.Select(e => new EnvironmentMatch(e.Id, e.Name, EnvironmentPattern.Matches(compiled.Value, e.Name))).ToList();
        }, cancellationToken);

    /// <summary>The regex and the settings together, so one answer names every bad field.</summary>
    private Result<AddonSettingValues> Validate(AddonDescriptor addon, AddonRequest request, string regex, AddonSettingValues stored)
    {
        var errors = new Dictionary<string, string[]>();
        if (EnvironmentPattern.Compile(regex).Error?.Errors is { } regexErrors)
        {
            foreach (var (field, messages) in regexErrors)
            {
                errors[field] = messages;
            }
        }

        var values = AddonSettingRules.Apply(addon, request.Settings, stored, options.Value);
        foreach (var (field, messages) in values.Error?.Errors ?? new Dictionary<string, string[]>())
        {
            errors[field] = messages;
        }

        return errors.Count > 0 ? DomainError.Validation(errors) : values;
    }

    private static async Task<Result<(AddonDescriptor Addon, ProjectAddon Installed)>> FindInstalledAsync(
        PlatformDbContext db, Guid projectId, string name, CancellationToken cancellationToken)
    {
        if (AddonCatalogue.Find(name) is not { } addon)
        {
            return UnknownAddon(name);
        }

        var installed = await db.ProjectAddons.FirstOrDefaultAsync(a => a.ProjectId == projectId && a.Kind == addon.Kind, cancellationToken);
        return installed is null ? new DomainError(ErrorKind.NotFound, $"{addon.Name} is not installed on this project.") : (addon, installed);
    }

    /// <summary>Saves the change with its event on the project's timeline (the audit trail), without any setting's value.</summary>
    private async Task SaveAsync(PlatformDbContext db, OrganizationAccess granted, Guid projectId, Caller caller, string state, string message, CancellationToken cancellationToken)
    {
        var project = await db.Projects.Where(p => p.Id == projectId).Select(p => p.Name).FirstAsync(cancellationToken);
        var subject = new EventSubject(granted.OrganizationId, null, ServiceType.Project, projectId, project);
        await db.SaveWithEventsAsync([EventLog.New(subject, state, SimpleState.Ok, message, caller.UserId, clock.GetUtcNow())], cancellationToken);
    }

    private static DomainError UnknownAddon(string name) =>
        new(ErrorKind.NotFound, $"There is no addon \"{Texts.Cut(name, 100)}\": the catalogue has {string.Join(", ", AddonCatalogue.All.Select(a => a.Name))}.");

    private AddonView ToView(AddonDescriptor addon, ProjectAddon? installed) => new(
        addon.Name,
        addon.ShortDescription,
        addon.Description,
        addon.IsTrusted,
        installed is not null,
        installed?.MatchingEnvironmentsRegex,
        new AddonMetadata(addon.Settings, addon.Events, installed?.CreatedAt, installed?.UpdatedAt),
        installed is null ? new Dictionary<string, string?>() : AddonSecrets.Answered(addon, installed, protector));

    private static AddonDeliveryView ToView(AddonDelivery d) => new(
        d.Id, AddonCatalogue.Of(d.Kind).Name, d.Event, d.Status.ToString().ToUpperInvariant(), d.Attempts, d.EnvironmentId,
        d.HttpStatus, d.Error, d.DurationMs, d.NextAttemptAt, d.CreatedAt, d.UpdatedAt);
}
