using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Billing;
using Platform.Domain.Clusters;
using Platform.Domain.Common;
using Platform.Domain.Environments;
using Platform.Domain.Members;

namespace Platform.Domain.Organizations;

public sealed record OrganizationInput(string? Name, string? Description);

/// <param name="Role">The caller's role in the organization.</param>
public sealed record OrganizationView(
    Guid Id,
    string Name,
    string? Description,
    Guid OwnerId,
    OrganizationRole Role,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed class OrganizationService(
    IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access, EnvironmentService environments, Billing.Costs.CostAggregation costs,
    Tokens.ApiTokenCache tokenCache, TimeProvider clock)
{
    public async Task<IReadOnlyList<OrganizationView>> ListAsync(Caller caller, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (caller.IsOrganizationToken)
        {
            return await db.Organizations.Where(o => o.Id == caller.TokenOrganizationId)
                .Select(o => new OrganizationView(o.Id, o.Name, o.Description, o.OwnerId, caller.TokenRole!.Value, o.CreatedAt, o.UpdatedAt))
                .ToListAsync(cancellationToken);
        }

        return await db.OrganizationMembers.Where(m => m.UserId == caller.UserId)
            .OrderBy(m => m.Organization!.Name)
            .Select(m => new OrganizationView(
                m.OrganizationId, m.Organization!.Name, m.Organization.Description, m.Organization.OwnerId, m.Role, m.Organization.CreatedAt, m.Organization.UpdatedAt))
            .ToListAsync(cancellationToken);
    }

    public async Task<Result<OrganizationView>> CreateAsync(Caller caller, OrganizationInput input)
    {
        if (caller.IsOrganizationToken)
        {
            return DomainError.Forbidden("An organization API token acts only inside its organization and cannot create another one.");
        }

        if (Validate(input) is { } invalid)
        {
            return invalid;
        }

        var now = clock.GetUtcNow();
        var organization = new Organization
        {
            Name = input.Name!.Trim(),
            Description = Validation.Clean(input.Description),
            OwnerId = caller.UserId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await using var db = await dbFactory.CreateDbContextAsync();
        db.Organizations.Add(organization);
        db.OrganizationMembers.Add(new OrganizationMember
        {
            OrganizationId = organization.Id,
            UserId = caller.UserId,
            Role = OrganizationRole.Owner,
            CreatedAt = now,
            UpdatedAt = now,
        });
        db.Clusters.Add(ClusterService.NewDefault(organization.Id, now));
        db.BillingAccounts.Add(BillingAccount.Open(organization.Id, now));
        await db.SaveChangesAsync();
        return ToView(organization, OrganizationRole.Owner);
    }

    public Task<Result<OrganizationView>> GetAsync(Caller caller, Guid id, CancellationToken cancellationToken = default) =>
        access.WithAsync<OrganizationView>(caller, Resource.Organization(id), Permission.Read, async granted =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var organization = await db.Organizations.AsNoTracking().FirstAsync(o => o.Id == id, cancellationToken);
            return ToView(organization, granted.Role);
        }, cancellationToken);

    public Task<Result<OrganizationView>> UpdateAsync(Caller caller, Guid id, OrganizationInput input) =>
        access.WithAsync<OrganizationView>(caller, Resource.Organization(id), Permission.ManageMembers, async granted =>
        {
            if (Validate(input) is { } invalid)
            {
                return invalid;
            }

            await using var db = await dbFactory.CreateDbContextAsync();
            var organization = await db.Organizations.FirstAsync(o => o.Id == id);
            organization.Name = input.Name!.Trim();
            organization.Description = Validation.Clean(input.Description);
            organization.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync();
            return ToView(organization, granted.Role);
        });

    /// <summary>Deletes the organization and everything under it: its environments first, each through the queue, then projects, members, tokens….</summary>
    public Task<Result<bool>> DeleteAsync(Caller caller, Guid id) =>
        access.WithAsync<bool>(caller, Resource.Organization(id), Permission.OwnOrganization, async _ =>
        {
            // Its billing rows go with it (cascade): running time not yet billed would never be.
            if (await costs.OwedCentsAsync(id, clock.GetUtcNow()) is > 0 and var owed)
            {
                return DomainError.Conflict(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"This organization owes {owed / 100m:0.00} (usage not billed yet, or invoices not paid): it can be deleted once that is billed and paid."));
            }

            await using var db = await dbFactory.CreateDbContextAsync();
            var deleted = await environments.DeleteAllAsync(caller, await db.Environments.Where(e => e.Project!.OrganizationId == id).Select(e => e.Id).ToListAsync());
            if (!deleted.IsSuccess)
            {
                return deleted.Error!;
            }

            await using var transaction = await db.Database.BeginTransactionAsync();
            // Projects first: their environments reference the organization's clusters, which refuse to go before them.
            await db.Projects.Where(p => p.OrganizationId == id).ExecuteDeleteAsync();
            await db.Organizations.Where(o => o.Id == id).ExecuteDeleteAsync();
            await transaction.CommitAsync();
            // Its organization tokens went with it (cascade), unseen by the token cache.
            tokenCache.Invalidate();
            return true;
        });

    private static DomainError? Validate(OrganizationInput input)
    {
        var errors = new Dictionary<string, string[]>();
        Validation.RequireText(errors, "name", input.Name, "Name", Organization.MaxNameLength);
        Validation.LimitText(errors, "description", input.Description, "Description", Organization.MaxDescriptionLength);
        return errors.Count > 0 ? DomainError.Validation(errors) : null;
    }

    private static OrganizationView ToView(Organization o, OrganizationRole role) =>
        new(o.Id, o.Name, o.Description, o.OwnerId, role, o.CreatedAt, o.UpdatedAt);
}
