namespace Platform.Tests.Support;

/// <summary>
/// Callers of one organization for role tests: a member and an organization token for each role asked for,
/// named as the tests' rows name them ("DEVELOPER member", "VIEWER token").
/// </summary>
public sealed class RoleTeam
{
    private readonly Dictionary<string, ApiMember> _members = [];
    private readonly Dictionary<string, HttpClient> _tokens = [];

    public ApiMember Member(string role) => _members[role];

    public HttpClient Token(string role) => _tokens[role];

    public HttpClient Caller(string name) => name.Split(' ') switch
    {
        [var role, "member"] when _members.ContainsKey(role) => _members[role].Client,
        [var role, "token"] when _tokens.ContainsKey(role) => _tokens[role],
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such caller."),
    };

    public static async Task<RoleTeam> CreateAsync(PortalFactory portal, HttpClient owner, Guid organizationId, params string[] roles)
    {
        var team = new RoleTeam();
        foreach (var role in roles)
        {
            team._members[role] = await portal.AddMemberAsync(owner, organizationId, role);
            team._tokens[role] = portal.CreateBearerClient((await owner.CreateOrganizationTokenAsync(organizationId, role)).Token);
        }

        return team;
    }
}
