using Platform.Domain.Members;

namespace Platform.Domain.Access;

/// <summary>
/// The platform's own actors: what acts in an organization without a person asking, named in history as its owner.
/// Their ids are fixed and are no user's (users' ids are UUIDv7s of their creation time); they live in the owner
/// columns of deployments and events, which have no foreign key to users, and never in a column that has one.
/// </summary>
public static class SystemActors
{
    /// <summary>The repository check's auto-deploy: it queues a deployment of a branch's new commit.</summary>
    public static readonly Guid AutoDeployId = new("00000000-0000-7000-8000-00000000a001");

    public const string AutoDeployName = "Auto-deploy";

    /// <summary>Whether the id is one of the platform's actors rather than a user.</summary>
    public static bool Is(Guid id) => id == AutoDeployId;

    /// <summary>
    /// The actor as a caller in one organization: a DEVELOPER there and nowhere else (it acts as an organization token
    /// would), so a request it makes goes through the same gate and queue as a person's.
    /// </summary>
    public static Caller In(Guid actorId, Guid organizationId) => new(actorId, organizationId, OrganizationRole.Developer);
}
