using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Common;
using Platform.Portal.Billing;

namespace Platform.E2E.Support;

/// <summary>What a billing test arranges on the portal's own services, where the browser has no way to.</summary>
public static class BillingArrangements
{
    /// <summary>
    /// Puts the organization on the TEAM plan since before last month, then runs the monthly invoice job as Hangfire
    /// would: last month closes into an invoice of the plan's fee, charged to the default card.
    /// </summary>
    public static async Task InvoiceLastMonthAsync(this E2EPortal portal, Guid organizationId)
    {
        await using var scope = portal.Portal.Services.CreateAsyncScope();
        var dbFactory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            await db.Database.ExecuteSqlAsync(
                $"UPDATE billing_account SET plan_code = 'TEAM', created_at = created_at - interval '62 days' WHERE organization_id = {organizationId}");
        }

        await scope.ServiceProvider.GetRequiredService<MonthCloseJob>().RunAsync(CancellationToken.None);
    }
}
