using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Platform.Domain.Common;
using Platform.Domain.Organizations;
using Platform.Tests.Support;

namespace Platform.Tests.Common;

/// <summary>
/// What an interceptor does after a commit (live messages, the token cache's invalidation, the addon outbox's wake)
/// happens for committed work only, also with the portal's pooled contexts, where one context instance serves many
/// operations one after the other.
/// </summary>
public sealed class AfterCommitInterceptorTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task TransactionDisposedWithoutCommit_IsNeverActedOn_WhenThePooledContextCommitsAgain()
    {
        var organization = await OrganizationAsync();
        var recorder = new Recorder();
        var factory = PooledFactory(recorder);

        await using (var db = await factory.CreateDbContextAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await DescribeAsync(db, organization, "abandoned");
            // Disposed without a commit or a rollback, as an early return inside a transaction does.
        }

        await using (var db = await factory.CreateDbContextAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await DescribeAsync(db, organization, "committed");
            await transaction.CommitAsync();
        }

        Assert.Equal(["committed"], recorder.Acted);
    }

    [Fact]
    public async Task TransactionDisposedWithoutCommit_IsNeverActedOn_WhenAnotherContextCommitsOnTheSameConnection()
    {
        // Npgsql hands out one transaction object per physical connection, again and again: a context of another
        // operation (another tenant's) that begins a transaction on the connection the abandoned one used gets it.
        var organization = await OrganizationAsync();
        var recorder = new Recorder();
        var options = Options(recorder, new Npgsql.NpgsqlConnectionStringBuilder(portal.ConnectionString) { MaxPoolSize = 1 }.ConnectionString);

        await using (var db = new PlatformDbContext(options))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await DescribeAsync(db, organization, "abandoned");
        }

        await using (var other = new PlatformDbContext(options))
        {
            await using var transaction = await other.Database.BeginTransactionAsync();
            await DescribeAsync(other, organization, "committed");
            await transaction.CommitAsync();
        }

        Assert.Equal(["committed"], recorder.Acted);
    }

    [Fact]
    public async Task SaveCanceled_IsNeverActedOn_WhenThePooledContextSavesAgain()
    {
        var organization = await OrganizationAsync();
        var recorder = new Recorder();
        var factory = PooledFactory(recorder);

        await using (var db = await factory.CreateDbContextAsync())
        {
            var found = await db.Organizations.SingleAsync(o => o.Id == organization);
            found.Description = "canceled";
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.SaveChangesAsync(new CancellationToken(canceled: true)));
        }

        await using (var db = await factory.CreateDbContextAsync())
        {
            await DescribeAsync(db, organization, "saved");
        }

        Assert.Equal(["saved"], recorder.Acted);
    }

    [Fact]
    public async Task SaveCanceledInATransaction_IsNeverActedOn_WhenThePooledContextCommitsAgain()
    {
        var organization = await OrganizationAsync();
        var recorder = new Recorder();
        var factory = PooledFactory(recorder);

        await using (var db = await factory.CreateDbContextAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var found = await db.Organizations.SingleAsync(o => o.Id == organization);
            found.Description = "canceled";
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.SaveChangesAsync(new CancellationToken(canceled: true)));
        }

        await using (var db = await factory.CreateDbContextAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await DescribeAsync(db, organization, "committed");
            await transaction.CommitAsync();
        }

        Assert.Equal(["committed"], recorder.Acted);
    }

    [Fact]
    public async Task SavesOfOneTransaction_AreActedOnTogether_AtItsCommit()
    {
        var organization = await OrganizationAsync();
        var recorder = new Recorder();
        await using var db = await PooledFactory(recorder).CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();

        await DescribeAsync(db, organization, "first");
        await DescribeAsync(db, organization, "second");
        Assert.Empty(recorder.Acted);
        await transaction.CommitAsync();

        Assert.Equal(["first+second"], recorder.Acted);
    }

    private async Task<Guid> OrganizationAsync()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        return await owner.CreateOrganizationAsync($"after-commit-{Guid.NewGuid():N}");
    }

    /// <summary>A pool of one, so the second lease is the first one's context instance again.</summary>
    private PooledDbContextFactory<PlatformDbContext> PooledFactory(Recorder recorder) => new(Options(recorder, portal.ConnectionString), poolSize: 1);

    private static DbContextOptions<PlatformDbContext> Options(Recorder recorder, string connectionString)
    {
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, connectionString);
        options.AddInterceptors(recorder);
        return options.Options;
    }

    private static async Task DescribeAsync(PlatformDbContext db, Guid organization, string description)
    {
        var found = await db.Organizations.SingleAsync(o => o.Id == organization);
        found.Description = description;
        await db.SaveChangesAsync();
    }

    /// <summary>Collects the descriptions each save writes; records them once committed.</summary>
    private sealed class Recorder : AfterCommitInterceptor<List<string>>
    {
        public List<string> Acted { get; } = [];

        protected override List<string>? Collect(DbContext context, List<string>? already)
        {
            var written = context.ChangeTracker.Entries<Organization>().Where(e => e.State == EntityState.Modified).Select(e => e.Entity.Description!).ToList();
            return written.Count == 0 ? already : [.. already ?? [], .. written];
        }

        protected override void AfterCommit(List<string> pending) => Acted.Add(string.Join('+', pending));
    }
}
