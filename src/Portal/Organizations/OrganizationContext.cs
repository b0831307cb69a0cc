namespace Platform.Portal.Organizations;

/// <summary>
/// The organization the user is looking at in this circuit, whatever page shows it (organization, project,
/// environment or application), so the app bar's switcher can name it.
/// </summary>
public sealed class OrganizationContext
{
    public Guid? Current { get; private set; }

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
