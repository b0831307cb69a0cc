using Platform.Domain.Members;

namespace Platform.Domain.Access;

/// <summary>
/// Who is asking: a signed-in user (portal cookie or personal token), or an organization API token, which acts
/// with its own role and only in its own organization. <see cref="UserId"/> is the user, or the token's creator.
/// </summary>
public sealed record Caller(Guid UserId, Guid? TokenOrganizationId = null, OrganizationRole? TokenRole = null)
{
    public bool IsOrganizationToken => TokenOrganizationId is not null;

    /// <summary>The user to record where a column points at users: null for one of the platform's own actors (<see cref="SystemActors"/>).</summary>
    public Guid? PersonId => SystemActors.Is(UserId) ? null : UserId;
}
