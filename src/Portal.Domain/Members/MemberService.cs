using System.Linq.Expressions;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;

namespace Platform.Domain.Members;

public sealed record MemberView(
    Guid Id,
    string FirstName,
    string LastName,
    string Email,
    string? ProfilePictureUrl,
    DateTimeOffset? LastActivityAt,
    OrganizationRole Role,
    InvitationStatus InvitationStatus,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public string Name => $"{FirstName} {LastName}".Trim();
}

public sealed record InvitationView(
    Guid Id,
    Guid OrganizationId,
    string OrganizationName,
    string Email,
    OrganizationRole Role,
    InvitationStatus Status,
    string InvitedBy,
    Uri Link,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);

/// <summary>Members, their roles, invitations and ownership of an organization.</summary>
public sealed class MemberService(
    IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access, IMailQueue mail, ISecretProtector protector, TimeProvider clock)
{
    public Task<Result<IReadOnlyList<MemberView>>> ListMembersAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default) =>
        access.WithAsync<IReadOnlyList<MemberView>>(caller, Resource.Organization(organizationId), Permission.Read, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var members = await db.OrganizationMembers.Where(m => m.OrganizationId == organizationId)
                .Select(ToMemberView)
                .ToListAsync(cancellationToken);
            // By role from the owner down (the column holds names, so SQL would sort them alphabetically), then by name.
            return members.OrderBy(m => m.Role).ThenBy(m => m.FirstName, StringComparer.OrdinalIgnoreCase).ThenBy(m => m.LastName, StringComparer.OrdinalIgnoreCase).ToList();
        }, cancellationToken);

    /// <summary>
    /// Invitations not yet accepted, newest first, expired ones included so they can be re-sent. Their links carry
    /// the secret that accepts them, so only those who manage members see them.
    /// </summary>
    public Task<Result<IReadOnlyList<InvitationView>>> ListInvitationsAsync(Caller caller, Guid organizationId, Uri portal, CancellationToken cancellationToken = default) =>
        access.WithAsync<IReadOnlyList<InvitationView>>(caller, Resource.Organization(organizationId), Permission.ManageMembers, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var invitations = await InvitationQuery(db, i => i.OrganizationId == organizationId && i.AcceptedAt == null)
                .OrderByDescending(i => i.CreatedAt)
                .ToListAsync(cancellationToken);
            return invitations.Select(i => ToView(i, portal)).ToList();
        }, cancellationToken);

    public Task<Result<InvitationView>> InviteAsync(Caller caller, Guid organizationId, string? email, OrganizationRole? role, Uri portal) =>
        access.WithAsync<InvitationView>(caller, Resource.Organization(organizationId), Permission.ManageMembers, async _ =>
        {
            var errors = new Dictionary<string, string[]>();
            var address = email?.Trim().ToLowerInvariant();
            if (!Validation.IsEmail(address))
            {
                errors["email"] = ["Enter a valid email address."];
            }

            if (role is null)
            {
                errors["role"] = ["Choose a role: ADMIN, DEVELOPER or VIEWER."];
            }
            else if (role == OrganizationRole.Owner)
            {
                errors["role"] = ["An organization has one owner: invite as ADMIN, then transfer the ownership."];
            }

            if (errors.Count > 0)
            {
                return DomainError.Validation(errors);
            }

            var now = clock.GetUtcNow();
            await using var db = await dbFactory.CreateDbContextAsync();
            var normalized = address!.ToUpperInvariant();
            if (await db.OrganizationMembers.AnyAsync(m => m.OrganizationId == organizationId && m.User!.NormalizedEmail == normalized))
            {
                return DomainError.Conflict("email", $"{address} is already a member of this organization.");
            }

            var previous = await db.Invitations.Where(i => i.OrganizationId == organizationId && i.Email == address && i.AcceptedAt == null).ToListAsync();
            if (previous.Any(i => i.StatusAt(now) == InvitationStatus.Pending))
            {
                return DomainError.Conflict("email", $"{address} already has a pending invitation. Cancel it first to send a new one.");
            }

            // An expired invitation to the same address gives way to the new one.
            db.Invitations.RemoveRange(previous);
            var invitation = new Invitation
            {
                OrganizationId = organizationId,
                Email = address!,
                Role = role!.Value,
                InvitedById = caller.UserId,
                CreatedAt = now,
                ExpiresAt = now + Invitation.Lifetime,
                ProtectedToken = protector.Protect(InvitationTokens.New()),
            };
            db.Invitations.Add(invitation);
            await db.SaveChangesAsync();

            var view = ToView(await InvitationQuery(db, i => i.Id == invitation.Id).FirstAsync(), portal);
            await mail.EnqueueAsync(InvitationMail(view));
            return view;
        });

    public Task<Result<bool>> CancelInvitationAsync(Caller caller, Guid organizationId, Guid invitationId) =>
        access.WithAsync<bool>(caller, Resource.Organization(organizationId), Permission.ManageMembers, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var deleted = await db.Invitations
                .Where(i => i.Id == invitationId && i.OrganizationId == organizationId && i.AcceptedAt == null)
                .ExecuteDeleteAsync();
            return deleted > 0 ? true : DomainError.NotFound("The invitation");
        });

    public Task<Result<MemberView>> ChangeRoleAsync(Caller caller, Guid organizationId, Guid userId, OrganizationRole? role) =>
        access.WithAsync<MemberView>(caller, Resource.Organization(organizationId), Permission.ManageMembers, async _ =>
        {
            if (role is null)
            {
                return DomainError.Validation("role", "Choose a role: ADMIN, DEVELOPER or VIEWER.");
            }

            if (role == OrganizationRole.Owner)
            {
                return DomainError.Validation("role", "Transfer the ownership instead: an organization has one owner.");
            }

            await using var db = await dbFactory.CreateDbContextAsync();
            var member = await db.OrganizationMembers.FirstOrDefaultAsync(m => m.OrganizationId == organizationId && m.UserId == userId);
            if (member is null)
            {
                return DomainError.NotFound("The member");
            }

            if (member.Role == OrganizationRole.Owner)
            {
                return DomainError.Conflict("The owner's role cannot be changed: transfer the ownership to someone else first.");
            }

            member.Role = role.Value;
            member.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync();
            return (await FindMemberAsync(db, organizationId, userId))!;
        });

    /// <summary>Removes a member; members may also remove themselves (leave). The owner cannot be removed.</summary>
    public Task<Result<bool>> RemoveAsync(Caller caller, Guid organizationId, Guid userId)
    {
        var leaving = !caller.IsOrganizationToken && caller.UserId == userId;
        return access.WithAsync<bool>(caller, Resource.Organization(organizationId), leaving ? Permission.Read : Permission.ManageMembers, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var member = await db.OrganizationMembers.FirstOrDefaultAsync(m => m.OrganizationId == organizationId && m.UserId == userId);
            if (member is null)
            {
                return DomainError.NotFound("The member");
            }

            if (member.Role == OrganizationRole.Owner)
            {
                return DomainError.Conflict("The owner cannot be removed: transfer the ownership first, or delete the organization.");
            }

            db.OrganizationMembers.Remove(member);
            await db.SaveChangesAsync();
            return true;
        });
    }

    /// <summary>Makes another member the owner; the previous owner becomes an ADMIN.</summary>
    public Task<Result<bool>> TransferOwnershipAsync(Caller caller, Guid organizationId, Guid? userId) =>
        access.WithAsync<bool>(caller, Resource.Organization(organizationId), Permission.OwnOrganization, async _ =>
        {
            if (userId is null)
            {
                return DomainError.Validation("user_id", "Choose the member who becomes the owner.");
            }

            var now = clock.GetUtcNow();
            await using var db = await dbFactory.CreateDbContextAsync();
            await using var transaction = await db.Database.BeginTransactionAsync();
            // One transfer at a time per organization: two at once could each demote the same owner.
            await db.Database.ExecuteSqlAsync($"SELECT id FROM organization WHERE id = {organizationId} FOR UPDATE");
            var members = await db.OrganizationMembers
                .Where(m => m.OrganizationId == organizationId && (m.UserId == userId || m.Role == OrganizationRole.Owner))
                .ToListAsync();
            var next = members.FirstOrDefault(m => m.UserId == userId);
            if (next is null)
            {
                return DomainError.Validation("user_id", "Only a member of the organization can become its owner.");
            }

            if (next.Role == OrganizationRole.Owner)
            {
                return DomainError.Conflict("This member is already the owner.");
            }

            foreach (var owner in members.Where(m => m.Role == OrganizationRole.Owner))
            {
                owner.Role = OrganizationRole.Admin;
                owner.UpdatedAt = now;
            }

            next.Role = OrganizationRole.Owner;
            next.UpdatedAt = now;
            await db.Organizations.Where(o => o.Id == organizationId)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.OwnerId, next.UserId).SetProperty(o => o.UpdatedAt, now));
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            return true;
        });

    /// <summary>
    /// The invitation as its invitee sees it, to whoever presents the secret of its link; without it, or with
    /// another, NotFound, as for an invitation that does not exist.
    /// </summary>
    public async Task<Result<InvitationView>> GetInvitationAsync(Guid invitationId, string? token, Uri portal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var invitation = await InvitationQuery(db, i => i.Id == invitationId).FirstOrDefaultAsync(cancellationToken);
        return invitation is not null && InvitationTokens.Matches(token, Unprotect(invitation.ProtectedToken))
            ? ToView(invitation, portal)
            : DomainError.NotFound("The invitation");
    }

    /// <summary>
    /// Makes the invited person a member; answers the organization's id. It takes the secret of the invitation's
    /// link (a wrong or missing one answers NotFound, like an unknown invitation) and the invited address.
    /// </summary>
    public async Task<Result<Guid>> AcceptAsync(Caller caller, Guid organizationId, Guid invitationId, string? token)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync();
        var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == invitationId && i.OrganizationId == organizationId);
        if (invitation is null || !InvitationTokens.Matches(token, Unprotect(invitation.ProtectedToken)))
        {
            return DomainError.NotFound("The invitation");
        }

        if (caller.IsOrganizationToken)
        {
            return DomainError.Forbidden("An organization API token cannot accept invitations: sign in as the invited person.");
        }

        // The link alone is not enough either: it may have been forwarded.
        if (!await IsInviteeAsync(db, caller, invitation.Email))
        {
            return DomainError.Forbidden($"This invitation was sent to {invitation.Email}: sign in with that address to accept it.");
        }

        switch (invitation.StatusAt(now))
        {
            case InvitationStatus.Accepted:
                return DomainError.Conflict("This invitation has already been accepted.");
            case InvitationStatus.Expired:
                return DomainError.Conflict("This invitation has expired: ask for a new one.");
        }

        if (await db.OrganizationMembers.AnyAsync(m => m.OrganizationId == organizationId && m.UserId == caller.UserId))
        {
            return DomainError.Conflict("You are already a member of this organization.");
        }

        var member = new OrganizationMember
        {
            OrganizationId = organizationId,
            UserId = caller.UserId,
            Role = invitation.Role,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.OrganizationMembers.Add(member);
        invitation.AcceptedAt = now;
        await db.SaveChangesAsync();
        return organizationId;
    }

    /// <summary>The link mailed to the invitee; without a secret (invitations older than secrets) it opens nothing.</summary>
    public static Uri InvitationLink(Uri portal, Guid invitationId, string? token) =>
        new(portal, token is null ? $"invitation/{invitationId}" : $"invitation/{invitationId}?token={Uri.EscapeDataString(token)}");

    /// <summary>The secret, or null when there is none or the key ring that encrypted it is gone.</summary>
    private string? Unprotect(string? protectedToken)
    {
        if (protectedToken is null)
        {
            return null;
        }

        try
        {
            return protector.Unprotect(protectedToken);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static async Task<bool> IsInviteeAsync(PlatformDbContext db, Caller caller, string email, CancellationToken cancellationToken = default)
    {
        if (caller.IsOrganizationToken)
        {
            return false;
        }

        var normalized = email.ToUpperInvariant();
        return await db.Users.AnyAsync(u => u.Id == caller.UserId && u.NormalizedEmail == normalized, cancellationToken);
    }

    private static readonly Expression<Func<OrganizationMember, MemberView>> ToMemberView = m => new MemberView(
        m.UserId, m.User!.FirstName, m.User.LastName, m.User.Email!, null, m.User.LastActivityAt,
        m.Role, InvitationStatus.Accepted, m.CreatedAt, m.UpdatedAt);

    private static IQueryable<InvitationRow> InvitationQuery(PlatformDbContext db, Expression<Func<Invitation, bool>> filter) =>
        db.Invitations.Where(filter).Select(i => new InvitationRow
        {
            Id = i.Id,
            OrganizationId = i.OrganizationId,
            OrganizationName = i.Organization!.Name,
            Email = i.Email,
            Role = i.Role,
            InvitedBy = i.InvitedBy!.FirstName + " " + i.InvitedBy.LastName,
            CreatedAt = i.CreatedAt,
            ExpiresAt = i.ExpiresAt,
            AcceptedAt = i.AcceptedAt,
            ProtectedToken = i.ProtectedToken,
        });

    private InvitationView ToView(InvitationRow row, Uri portal)
    {
        var status = Invitation.StatusOf(row.AcceptedAt, row.ExpiresAt, clock.GetUtcNow());
        return new InvitationView(
            row.Id, row.OrganizationId, row.OrganizationName, row.Email, row.Role, status, row.InvitedBy.Trim(),
            InvitationLink(portal, row.Id, Unprotect(row.ProtectedToken)), row.CreatedAt, row.ExpiresAt);
    }

    private static Task<MemberView?> FindMemberAsync(PlatformDbContext db, Guid organizationId, Guid userId) =>
        db.OrganizationMembers.Where(m => m.OrganizationId == organizationId && m.UserId == userId)
            .Select(ToMemberView)
            .FirstOrDefaultAsync();

    private static OutgoingMail InvitationMail(InvitationView invitation) => new(
        invitation.Email,
        $"{invitation.InvitedBy} invited you to {invitation.OrganizationName} on Platform",
        $"""
        Hello,

        {invitation.InvitedBy} invited you to join the organization "{invitation.OrganizationName}" on Platform as {invitation.Role.ToString().ToUpperInvariant()}.

        Accept the invitation:
        {invitation.Link}

        Sign in (or create your account) with {invitation.Email} to accept. The link expires on {invitation.ExpiresAt:yyyy-MM-dd HH:mm} UTC.
        It is yours alone: whoever has it can see this invitation.

        If you did not expect this, you can ignore this message.
        """);

    /// <summary>A flat read of an invitation; an object initializer so EF Core can still sort and filter on it.</summary>
    private sealed class InvitationRow
    {
        public Guid Id { get; init; }

        public Guid OrganizationId { get; init; }

        public required string OrganizationName { get; init; }

        public required string Email { get; init; }

        public OrganizationRole Role { get; init; }

        public required string InvitedBy { get; init; }

        public DateTimeOffset CreatedAt { get; init; }

        public DateTimeOffset ExpiresAt { get; init; }

        public DateTimeOffset? AcceptedAt { get; init; }

        public string? ProtectedToken { get; init; }
    }
}
