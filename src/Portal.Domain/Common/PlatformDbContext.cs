using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Addons;
using Platform.Domain.Applications;
using Platform.Domain.Billing;
using Platform.Domain.Billing.Costs;
using Platform.Domain.Billing.Credits;
using Platform.Domain.Billing.Cards;
using Platform.Domain.Billing.Invoices;
using Platform.Domain.Clusters;
using Platform.Domain.Databases;
using Platform.Domain.Deployments;
using Platform.Domain.Environments;
using Platform.Domain.Events;
using Platform.Domain.Logs;
using Platform.Domain.Members;
using Platform.Domain.Metrics;
using Platform.Domain.Organizations;
using Platform.Domain.Projects;
using Platform.Domain.Tokens;
using Platform.Domain.Variables;
using Platform.Domain.Users;

namespace Platform.Domain.Common;

/// <summary>The system of record. Services create one per operation through IDbContextFactory.</summary>
public sealed class PlatformDbContext(DbContextOptions<PlatformDbContext> options)
    : IdentityUserContext<PlatformUser, Guid>(options)
{
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    public DbSet<Organization> Organizations => Set<Organization>();

    public DbSet<OrganizationMember> OrganizationMembers => Set<OrganizationMember>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<Project> Projects => Set<Project>();

    public DbSet<Cluster> Clusters => Set<Cluster>();

    public DbSet<ProjectEnvironment> Environments => Set<ProjectEnvironment>();

    public DbSet<Application> Applications => Set<Application>();

    public DbSet<ManagedDatabase> Databases => Set<ManagedDatabase>();

    public DbSet<PlatformEvent> Events => Set<PlatformEvent>();

    public DbSet<Variable> Variables => Set<Variable>();

    public DbSet<EnvironmentDeployment> EnvironmentDeployments => Set<EnvironmentDeployment>();

    public DbSet<ServiceDeployment> ServiceDeployments => Set<ServiceDeployment>();

    public DbSet<LogLine> LogLines => Set<LogLine>();

    public DbSet<LogCount> LogCounts => Set<LogCount>();

    public DbSet<HistoryCount> HistoryCounts => Set<HistoryCount>();

    public DbSet<BillingPlan> BillingPlans => Set<BillingPlan>();

    public DbSet<ClusterPrice> ClusterPrices => Set<ClusterPrice>();

    public DbSet<BillingAccount> BillingAccounts => Set<BillingAccount>();

    public DbSet<CreditCode> CreditCodes => Set<CreditCode>();

    public DbSet<CreditRedemption> CreditRedemptions => Set<CreditRedemption>();

    public DbSet<ServiceRunningInterval> RunningIntervals => Set<ServiceRunningInterval>();

    public DbSet<EnvironmentMonthCost> EnvironmentMonthCosts => Set<EnvironmentMonthCost>();

    public DbSet<BillingMonth> BillingMonths => Set<BillingMonth>();

    public DbSet<BudgetAlert> BudgetAlerts => Set<BudgetAlert>();

    public DbSet<CreditCard> CreditCards => Set<CreditCard>();

    public DbSet<Invoice> Invoices => Set<Invoice>();

    public DbSet<InvoiceNumberCounter> InvoiceNumberCounters => Set<InvoiceNumberCounter>();

    public DbSet<InvoiceExport> InvoiceExports => Set<InvoiceExport>();

    public DbSet<InstanceSample> InstanceSamples => Set<InstanceSample>();

    public DbSet<ApplicationSample> ApplicationSamples => Set<ApplicationSample>();

    public DbSet<MetricRollup> MetricRollups => Set<MetricRollup>();

    public DbSet<ProjectAddon> ProjectAddons => Set<ProjectAddon>();

    public DbSet<AddonDelivery> AddonDeliveries => Set<AddonDelivery>();

    public DbSet<AddonOutboxEntry> AddonOutbox => Set<AddonOutboxEntry>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PlatformDbContext).Assembly);

        // Identity names its tables AspNet*; keep the schema in one naming style.
        builder.Entity<IdentityUserClaim<Guid>>().ToTable("user_claim");
        builder.Entity<IdentityUserLogin<Guid>>().ToTable("user_login");
        builder.Entity<IdentityUserToken<Guid>>().ToTable("user_token");
    }

    /// <summary>The one place that sets the provider options, shared by the host and the design-time factory.</summary>
    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();
}
