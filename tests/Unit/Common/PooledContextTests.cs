using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Platform.Domain.Common;
using Platform.Portal.Infrastructure.Postgres;
using Platform.Tests.Support;

namespace Platform.Tests.Common;

/// <summary>
/// The portal's contexts are pooled (one instance serves many operations, of any tenant, one after the other): what
/// one use sets on its context — a command timeout, tracked entities, a connection it opened, a transaction it left
/// open — is gone for the next.
/// </summary>
public sealed class PooledContextTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task CommandTimeoutSetByOneUse_IsNotTheNextUsesTimeout()
    {
        var factory = PoolOfOne();
        int? before;
        await using (var db = await factory.CreateDbContextAsync())
        {
            before = db.Database.GetCommandTimeout();
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        }

        await using (var db = await factory.CreateDbContextAsync())
        {
            Assert.Equal(before, db.Database.GetCommandTimeout());
        }
    }

    [Fact]
    public async Task EntitiesTrackedByOneUse_AreNotTrackedByTheNext()
    {
        var organization = await OrganizationAsync();
        var factory = PoolOfOne();
        await using (var db = await factory.CreateDbContextAsync())
        {
            var found = await db.Organizations.SingleAsync(o => o.Id == organization);
            found.Description = "changed, never saved";
            db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
            db.ChangeTracker.AutoDetectChangesEnabled = false;
        }

        await using (var db = await factory.CreateDbContextAsync())
        {
            Assert.Empty(db.ChangeTracker.Entries());
            Assert.Equal(QueryTrackingBehavior.TrackAll, db.ChangeTracker.QueryTrackingBehavior);
            Assert.True(db.ChangeTracker.AutoDetectChangesEnabled);
            await db.SaveChangesAsync();
            Assert.NotEqual("changed, never saved", await db.Organizations.Where(o => o.Id == organization).Select(o => o.Description).SingleAsync());
        }
    }

    [Fact]
    public async Task ConnectionOpenedByHand_IsNotLeftOpenForTheNextUse()
    {
        var factory = PoolOfOne();
        await using (var db = await factory.CreateDbContextAsync())
        {
            // As MetricStore.ReadAsync does: the context's connection, opened outside EF Core's own accounting.
            await db.Database.GetDbConnection().OpenAsync();
        }

        await using (var db = await factory.CreateDbContextAsync())
        {
            Assert.Equal(ConnectionState.Closed, db.Database.GetDbConnection().State);
        }
    }

    [Fact]
    public async Task TransactionLeftOpenByOneUse_IsRolledBackAndNotTheNextUsesTransaction()
    {
        var organization = await OrganizationAsync();
        var factory = PoolOfOne();
        await using (var db = await factory.CreateDbContextAsync())
        {
            await db.Database.BeginTransactionAsync();
            var found = await db.Organizations.SingleAsync(o => o.Id == organization);
            found.Description = "in a transaction never ended";
            await db.SaveChangesAsync();
        }

        await using (var db = await factory.CreateDbContextAsync())
        {
            Assert.Null(db.Database.CurrentTransaction);
            Assert.NotEqual("in a transaction never ended", await db.Organizations.Where(o => o.Id == organization).Select(o => o.Description).SingleAsync());
        }
    }

    private async Task<Guid> OrganizationAsync()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        return await owner.CreateOrganizationAsync($"pooled-{Guid.NewGuid():N}", "as created");
    }

    /// <summary>A pool of one, so the second lease is the first one's context instance again, on the portal's connection settings.</summary>
    private PooledDbContextFactory<PlatformDbContext> PoolOfOne()
    {
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, PlatformDatabase.Tuned(portal.ConnectionString));
        return new PooledDbContextFactory<PlatformDbContext>(options.Options, poolSize: 1);
    }
}
