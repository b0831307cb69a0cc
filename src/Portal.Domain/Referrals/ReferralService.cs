using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Users;

namespace Platform.Domain.Referrals;

public sealed record ReferralView(int TotalInvited, Uri InvitationLink);

/// <summary>Each user's referral link, and how many people signed up through it.</summary>
public sealed class ReferralService(IDbContextFactory<PlatformDbContext> dbFactory)
{
    public async Task<Result<ReferralView>> GetAsync(Caller caller, Uri portal, CancellationToken cancellationToken = default)
    {
        if (caller.IsOrganizationToken)
        {
            return DomainError.Forbidden("Referral links belong to people: use a personal token.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.FirstAsync(u => u.Id == caller.UserId, cancellationToken);
        if (user.ReferralCode is null)
        {
            user.ReferralCode = ReferralCodes.New();
            await db.SaveChangesAsync(cancellationToken);
        }

        var invited = await db.Users.CountAsync(u => u.ReferredById == caller.UserId, cancellationToken);
        return new ReferralView(invited, ReferralLink(portal, user.ReferralCode));
    }

    public static Uri ReferralLink(Uri portal, string code) => new(portal, $"join/{code}");
}
