using Microsoft.Extensions.Configuration;
using Platform.Domain.Applications;
using Platform.Portal.Applications;

namespace Platform.Tests.Security;

/// <summary>
/// A tenant's repositories that never answer (an unroutable address: no server needed) each hold the repository check
/// for its whole timeout, two at a time. The run asked every application in id order for as long as it took, and the
/// runs due meanwhile gave way: a few hundred such applications kept every other organization's UPDATE_AVAILABLE and
/// auto-deploy waiting for hours. A run now asks the repositories that answered last time first, starts no check past
/// its budget, and leaves the rest to be the next run's first.
/// </summary>
public sealed class RepositoryCheckStarvationTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ARun_AsksTheRepositoriesThatAnsweredFirst_ThenTheFailedOnes_EachTheLeastRecentlyCheckedFirst()
    {
        var hanging = Enumerable.Range(0, 500).Select(i => new RepositoryChecks.CheckTurn(Id(i), true, Now.AddMinutes(-5))).ToList();
        var healthy = new RepositoryChecks.CheckTurn(Id(900), false, Now.AddMinutes(-5));
        var fresh = new RepositoryChecks.CheckTurn(Id(901), false, null);
        var failedLongAgo = new RepositoryChecks.CheckTurn(Id(902), true, Now.AddHours(-3));

        var order = RepositoryChecks.InTurn([.. hanging, healthy, failedLongAgo, fresh]);

        Assert.Equal([fresh.Id, healthy.Id, failedLongAgo.Id], order.Take(3));
        Assert.Equal(503, order.Count);
    }

    [Theory]
    [InlineData("5", 195)]
    [InlineData("60", 3495)]
    [InlineData("1", 30)]
    [InlineData(null, 195)]
    public void ARunsBudget_EndsItBeforeTheNextIsDue(string? minutes, int seconds)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Applications:RepositoryCheckMinutes"] = minutes }).Build();

        Assert.Equal(TimeSpan.FromSeconds(seconds), RepositoryCheckJob.BudgetFrom(configuration));
    }

    private static Guid Id(int i) => new($"00000000-0000-7000-8000-{i:D12}");
}
