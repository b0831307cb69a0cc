using System.Globalization;
using MudBlazor;
using Platform.Domain.Billing;
using Platform.Domain.Billing.Invoices;

namespace Platform.Portal.Billing;

/// <summary>How billing figures and states read on the billing page: amounts, running time, invoice statuses, budget levels.</summary>
public static class BillingText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Amount(Money money) => Amount(money.TotalInCents, money.CurrencyCode);

    public static string Amount(long cents, string currency) => $"{(cents / 100m).ToString("N2", Invariant)} {currency}";

    /// <summary>Running time as hours and minutes (instance-seconds summed over instances).</summary>
    public static string Duration(long seconds)
    {
        var time = TimeSpan.FromSeconds(seconds);
        return time.TotalHours >= 1 ? $"{(long)time.TotalHours} h {time.Minutes} min"
            : time.TotalMinutes >= 1 ? $"{time.Minutes} min"
            : $"{seconds} s";
    }

    public static string Month(DateOnly month) => month.ToString("MMMM yyyy", Invariant);

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", Invariant);

    public static string Date(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", Invariant);

    public static string Label(InvoiceStatus status) => Platform.Portal.Components.Common.Labels.Of(status);

    public static Color Color(InvoiceStatus status) => status switch
    {
        InvoiceStatus.Paid => MudBlazor.Color.Success,
        InvoiceStatus.Posted => MudBlazor.Color.Info,
        InvoiceStatus.PaymentDue => MudBlazor.Color.Warning,
        InvoiceStatus.NotPaid => MudBlazor.Color.Error,
        _ => MudBlazor.Color.Default,
    };

    /// <summary>The budget alert levels, as the cost aggregation sends them (80 % and 100 % of the budget).</summary>
    public static readonly int[] AlertLevels = [80, 100];

    /// <summary>Where the month's cost stands against the budget, in words and colour; null when there is no budget.</summary>
    public static (string Text, Color Color)? BudgetLevel(long costCents, long budgetCents)
    {
        if (budgetCents <= 0)
        {
            return null;
        }

        var percent = costCents * 100m / budgetCents;
        return percent >= 100 ? ("Budget reached: 100 % alert level", MudBlazor.Color.Error)
            : percent >= 80 ? ("Past the 80 % alert level", MudBlazor.Color.Warning)
            : ("Under the 80 % alert level", MudBlazor.Color.Success);
    }
}
