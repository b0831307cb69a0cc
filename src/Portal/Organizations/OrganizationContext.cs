namespace Platform.Portal.Organizations;

/// <summary>
/// The organization the user is looking at in this circuit, whatever page shows it (organization, project,
/// environment or application), so the app bar's switcher can name it. Pages that belong to no organization
/// (referral, tokens of the user, not-found) keep the last one: the switcher remembers it in a cookie, which a
/// fresh load of the portal passes in through <see cref="Remember"/>.
/// </summary>
public sealed class OrganizationContext
{
    /// <summary>The cookie that holds the last organization's id; only an id, and the switcher only names organizations the user belongs to.</summary>
    public const string CookieName = "platform-organization";

    public Guid? Current { get; private set; }

    /// <summary>Starts the circuit on the organization looked at last, unless a page already chose one.</summary>
    public void Remember(Guid? lastOrganizationId) => Current ??= lastOrganizationId;

    public event Action? Changed;

    public void Select(Guid organizationId)
    {
        if (Current == organizationId)
        {
            return;
        }

        Current = organizationId;
        Changed?.Invoke();
    }
}
