using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Platform.Domain.Billing.Invoices;
using Platform.Domain.Common;
using Platform.Domain.Events;
using Platform.Domain.Members;
using Platform.Domain.Services;

namespace Platform.Domain.Billing.Costs;

/// <summary>What one run of the aggregation did: lines written, and budget alerts newly raised.</summary>
public sealed record AggregationResult(int Lines, int Alerts);

/// <summary>
/// Turns the running intervals into the month's cost (PRODUCT.md section 9), for every organization at once, in a few
/// set-based statements in one transaction: each environment's line on each cluster is recomputed from the intervals
/// and replaced, never added to, so two runs over the same period give the same figures. Cost is exact: seconds to the
/// microsecond × instances × (cores × price per core-second + GiB × price per GiB-second), summed in PostgreSQL's
/// numeric and rounded half away from zero once per line; totals are sums of lines. Credit from codes is spent first.
/// Crossing 80% and 100% of the budget raises an alert (an event, and a mail to owners and admins) once per month.
/// </summary>
public sealed partial class CostAggregation(IDbContextFactory<PlatformDbContext> dbFactory, IMailQueue mail, TimeProvider clock, ILogger<CostAggregation> logger)
{
    private const long LockKey = 0x636f737473; // "costs": one aggregation at a time

    /// <summary>The current month, as of now: what the recurring job runs.</summary>
    public Task<AggregationResult> RunAsync(CancellationToken cancellationToken) => RunAsync(clock.GetUtcNow(), null, null, cancellationToken);

    /// <summary>
    /// One month (its first day; the month of <paramref name="now"/> by default), of every organization or one, as of
    /// <paramref name="now"/>: intervals still open count until then, or until the month's end. Callable directly, for
    /// a month close and for the benchmark.
    /// </summary>
    public async Task<AggregationResult> RunAsync(DateTimeOffset now, Guid? organizationId, DateOnly? month, CancellationToken cancellationToken)
    {
        now = now.ToUniversalTime();
        var first = month ?? MonthOf(now);
        var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = start.AddMonths(1);
        var cap = now < end ? now : end;

        int lines, alerts;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var sql = new Sql(db, transaction, start, end, cap, now, first, organizationId);
            await sql.ExecuteAsync($"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
            await sql.ExecuteAsync(Heartbeat, cancellationToken);
            await sql.ExecuteAsync(DeleteLines, cancellationToken);
            lines = await sql.ExecuteAsync(InsertLines, cancellationToken);
            await sql.ExecuteAsync(UpsertMonths, cancellationToken);
            var raised = cap == now ? await sql.ReadAlertsAsync(InsertAlerts, cancellationToken) : [];
            alerts = raised.Count;
            await db.SaveWithEventsAsync(await AlertEventsAsync(db, raised, now, cancellationToken), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await MailAlertsAsync(now, cancellationToken);
        LogAggregated(first, lines, alerts);
        return new AggregationResult(lines, alerts);
    }

    /// <summary>
    /// What the organization owes for last month and this one, net of credit, recomputed as of <paramref name="now"/>
    /// (running intervals still open count until then). Deleting an organization cascades to its intervals, lines and
    /// figures, so one that owes anything must not be deleted before it is billed: its running time would go with it.
    /// A month that has its invoice owes that invoice's total while it is unpaid, and nothing once paid or voided; an
    /// unpaid invoice of any earlier month counts too.
    /// </summary>
    public async Task<long> OwedCentsAsync(Guid organizationId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var month = MonthOf(now);
        var previous = month.AddMonths(-1);
        await RunAsync(now, organizationId, previous, cancellationToken);
        await RunAsync(now, organizationId, month, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // A month with an invoice owes what the invoice says: nothing once paid or voided, its total while unpaid.
        var invoiced = await db.Invoices.Where(i => i.OrganizationId == organizationId).Select(i => i.Month).ToListAsync(cancellationToken);
        var unbilled = await db.BillingMonths.Where(m => m.OrganizationId == organizationId && (m.Month == month || m.Month == previous) && !invoiced.Contains(m.Month))
            .SumAsync(m => Math.Max(0, m.UsageCents + m.PlanFeeCents - m.CreditCents), cancellationToken);
        var unpaid = await db.Invoices
            .Where(i => i.OrganizationId == organizationId && (i.Status == InvoiceStatus.Posted || i.Status == InvoiceStatus.PaymentDue || i.Status == InvoiceStatus.NotPaid))
            .SumAsync(i => i.TotalCents, cancellationToken);
        return unbilled + unpaid;
    }

    /// <summary>The first day of the month of an instant, in UTC.</summary>
    public static DateOnly MonthOf(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new DateOnly(utc.Year, utc.Month, 1);
    }

    // Parameters: @start, @end (the month), @cap (what open intervals count until), @now, @month, @org (null: every one).
    private const string Heartbeat = """
        UPDATE service_running_interval SET seen_at = @now
        WHERE ended_at IS NULL AND seen_at < @now AND (@org IS NULL OR organization_id = @org)
        """;

    private const string DeleteLines = "DELETE FROM environment_month_cost WHERE month = @month AND (@org IS NULL OR organization_id = @org)";

    /// <summary>
    /// Running time during the trial is counted but free: it is billed from the later of the interval's start and the
    /// trial's end. A cluster without a price of its own in the organization's currency is billed at the default list.
    /// </summary>
    private const string InsertLines = """
        INSERT INTO environment_month_cost (organization_id, month, environment_id, cluster_id, project_id, project_name, environment_name,
                                            consumed_seconds, amount_exact_cents, amount_cents, computed_at)
        SELECT s.organization_id, @month, s.environment_id, s.cluster_id, s.project_id,
               COALESCE(MAX(p.name), (array_agg(s.project_name ORDER BY s.started_at DESC))[1]),
               COALESCE(MAX(e.name), (array_agg(s.environment_name ORDER BY s.started_at DESC))[1]),
               FLOOR(SUM(s.instances * s.seconds))::bigint,
               SUM(s.cost),
               ROUND(SUM(s.cost))::bigint,
               @now
        FROM (
            SELECT i.*,
                   t.seconds,
                   i.instances * t.billed_seconds
                       * (i.cpu * COALESCE(own.cpu_core_second_cents, list.cpu_core_second_cents, 0)
                          + (i.memory_mb::numeric / 1024) * COALESCE(own.memory_gb_second_cents, list.memory_gb_second_cents, 0)) AS cost
            FROM service_running_interval i
            JOIN billing_account a ON a.organization_id = i.organization_id
            JOIN billing_plan plan ON plan.code = a.plan_code
            LEFT JOIN cluster_price own ON own.cluster_id = i.cluster_id AND own.currency = a.currency
            LEFT JOIN cluster_price list ON list.cluster_id IS NULL AND list.currency = a.currency
            CROSS JOIN LATERAL (
                SELECT EXTRACT(EPOCH FROM LEAST(COALESCE(i.ended_at, @cap), @cap) - GREATEST(i.started_at, @start)) AS seconds,
                       GREATEST(EXTRACT(EPOCH FROM LEAST(COALESCE(i.ended_at, @cap), @cap)
                           - GREATEST(i.started_at, @start, a.trial_started_at + make_interval(days => plan.trial_days))), 0) AS billed_seconds
            ) t
            WHERE i.started_at < @cap AND (i.ended_at IS NULL OR i.ended_at > @start) AND (@org IS NULL OR i.organization_id = @org)
        ) s
        LEFT JOIN environment e ON e.id = s.environment_id
        LEFT JOIN project p ON p.id = s.project_id
        GROUP BY s.organization_id, s.environment_id, s.cluster_id, s.project_id
        """;

    /// <summary>
    /// The month's credit: what codes redeemed before the month's end (or now) brought, less what earlier months spent,
    /// up to the month's cost.
    /// </summary>
    private const string UpsertMonths = """
        INSERT INTO billing_month (organization_id, month, currency, usage_cents, plan_fee_cents, credit_cents, computed_at)
        SELECT a.organization_id, @month, a.currency, u.usage_cents, plan.monthly_price_cents,
               LEAST(u.usage_cents + plan.monthly_price_cents, GREATEST(0,
                   COALESCE((SELECT SUM(r.amount_cents) FROM credit_redemption r
                             WHERE r.organization_id = a.organization_id AND r.currency = a.currency AND r.redeemed_at < @cap), 0)
                 - COALESCE((SELECT SUM(m.credit_cents) FROM billing_month m WHERE m.organization_id = a.organization_id AND m.month < @month), 0))),
               @now
        FROM billing_account a
        JOIN billing_plan plan ON plan.code = a.plan_code
        CROSS JOIN LATERAL (
            SELECT COALESCE(SUM(c.amount_cents), 0)::bigint AS usage_cents FROM environment_month_cost c
            WHERE c.organization_id = a.organization_id AND c.month = @month
        ) u
        WHERE a.created_at < @end AND (@org IS NULL OR a.organization_id = @org)
        ON CONFLICT (organization_id, month) DO UPDATE SET
            currency = EXCLUDED.currency, usage_cents = EXCLUDED.usage_cents, plan_fee_cents = EXCLUDED.plan_fee_cents,
            credit_cents = EXCLUDED.credit_cents, computed_at = EXCLUDED.computed_at
        """;

    /// <summary>The budget is compared with the month's cost before credit; the key (organization, month, level) keeps each alert once.</summary>
    private const string InsertAlerts = """
        INSERT INTO budget_alert (organization_id, month, level, cost_cents, budget_cents, created_at)
        SELECT m.organization_id, m.month, l.level, m.usage_cents + m.plan_fee_cents, a.budget_cents, @now
        FROM billing_month m
        JOIN billing_account a ON a.organization_id = m.organization_id
        CROSS JOIN (VALUES (80), (100)) AS l(level)
        WHERE m.month = @month AND a.budget_cents > 0 AND (m.usage_cents + m.plan_fee_cents) * 100 >= a.budget_cents * l.level
          AND (@org IS NULL OR m.organization_id = @org)
        ON CONFLICT DO NOTHING
        RETURNING organization_id, month, level, cost_cents, budget_cents
        """;

    private const string ClaimMails = """
        UPDATE budget_alert SET mailed_at = @now WHERE mailed_at IS NULL
        RETURNING organization_id, month, level, cost_cents, budget_cents
        """;

    private sealed record RaisedAlert(Guid OrganizationId, DateOnly Month, int Level, long CostCents, long BudgetCents);

    private static async Task<List<PlatformEvent>> AlertEventsAsync(PlatformDbContext db, List<RaisedAlert> raised, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (raised.Count == 0)
        {
            return [];
        }

        var ids = raised.Select(a => a.OrganizationId).ToList();
        var currencies = await db.BillingAccounts.Where(a => ids.Contains(a.OrganizationId)).ToDictionaryAsync(a => a.OrganizationId, a => a.Currency, cancellationToken);
        return raised.Select(a => EventLog.New(
                new EventSubject(a.OrganizationId, null, ServiceType.Organization, a.OrganizationId, "billing"),
                a.Level >= 100 ? "BUDGET_REACHED" : "BUDGET_WARNING",
                a.Level >= 100 ? SimpleState.Error : SimpleState.Warning,
                AlertText(a, currencies.GetValueOrDefault(a.OrganizationId, BillingAccount.DefaultCurrency)),
                null,
                now))
            .ToList();
    }

    /// <summary>
    /// Hands each alert not yet mailed to the mail queue, once: the alert is marked first, so a retried run never mails
    /// it again (a crash between the mark and the queue loses that mail rather than sending it twice).
    /// </summary>
    private async Task MailAlertsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var claimed = await new Sql(db, transaction, now, now, now, now, MonthOf(now), null).ReadAlertsAsync(ClaimMails, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (claimed.Count == 0)
        {
            return;
        }

        var ids = claimed.Select(a => a.OrganizationId).Distinct().ToList();
        var recipients = await db.OrganizationMembers
            .Where(m => ids.Contains(m.OrganizationId) && (m.Role == OrganizationRole.Owner || m.Role == OrganizationRole.Admin))
            .Select(m => new { m.OrganizationId, m.User!.Email, Organization = m.Organization!.Name })
            .ToListAsync(cancellationToken);
        var currencies = await db.BillingAccounts.Where(a => ids.Contains(a.OrganizationId)).ToDictionaryAsync(a => a.OrganizationId, a => a.Currency, cancellationToken);
        foreach (var alert in claimed)
        {
            foreach (var recipient in recipients.Where(r => r.OrganizationId == alert.OrganizationId && r.Email is not null))
            {
                await mail.EnqueueAsync(new OutgoingMail(
                    recipient.Email!,
                    $"{recipient.Organization}: {alert.Level}% of this month's budget",
                    $"""
                    Hello,

                    {AlertText(alert, currencies.GetValueOrDefault(alert.OrganizationId, BillingAccount.DefaultCurrency))}

                    The organization "{recipient.Organization}" keeps running: the budget warns, it does not stop anything.
                    You can change the budget in the organization's billing settings.
                    """));
            }
        }
    }

    private static string AlertText(RaisedAlert alert, string currency) =>
        string.Create(CultureInfo.InvariantCulture,
            $"This month's cost ({alert.Month:yyyy-MM}) reached {alert.Level}% of the budget: {alert.CostCents / 100m:0.00} {currency} of {alert.BudgetCents / 100m:0.00} {currency}.");

    /// <summary>The statements' parameters, bound once; commands run on the context's connection, in its transaction.</summary>
    private sealed class Sql(PlatformDbContext db, IDbContextTransaction transaction, DateTimeOffset start, DateTimeOffset end, DateTimeOffset cap, DateTimeOffset now, DateOnly month, Guid? organizationId)
    {
        public async Task<int> ExecuteAsync(string text, CancellationToken cancellationToken)
        {
            await using var command = Command(text);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task<List<RaisedAlert>> ReadAlertsAsync(string text, CancellationToken cancellationToken)
        {
            await using var command = Command(text);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var alerts = new List<RaisedAlert>();
            while (await reader.ReadAsync(cancellationToken))
            {
                alerts.Add(new RaisedAlert(reader.GetGuid(0), reader.GetFieldValue<DateOnly>(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetInt64(4)));
            }

            return alerts;
        }

        private NpgsqlCommand Command(string text)
        {
            var command = new NpgsqlCommand(text, (NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)transaction.GetDbTransaction());
            command.Parameters.Add(new NpgsqlParameter("start", NpgsqlDbType.TimestampTz) { Value = start });
            command.Parameters.Add(new NpgsqlParameter("end", NpgsqlDbType.TimestampTz) { Value = end });
            command.Parameters.Add(new NpgsqlParameter("cap", NpgsqlDbType.TimestampTz) { Value = cap });
            command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now });
            command.Parameters.Add(new NpgsqlParameter("month", NpgsqlDbType.Date) { Value = month });
            command.Parameters.Add(new NpgsqlParameter("org", NpgsqlDbType.Uuid) { Value = (object?)organizationId ?? DBNull.Value });
            return command;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cost aggregation of {Month}: {Lines} lines, {Alerts} budget alerts raised")]
    private partial void LogAggregated(DateOnly month, int lines, int alerts);
}
