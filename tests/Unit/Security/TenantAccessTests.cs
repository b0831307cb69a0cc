using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Access;
using Platform.Domain.Billing.Cards;
using Platform.Domain.Billing.Invoices;
using Platform.Domain.Common;
using Platform.Domain.Members;
using Platform.Tests.Support;

namespace Platform.Tests.Security;

/// <summary>
/// The access check (<see cref="TenantAccess"/>, compiled once per kind of resource) is the tenant isolation gate:
/// called directly, for every kind of resource, by callers of another organization, by an organization token of
/// another organization (also one made by a member of both), by a removed member, by a VIEWER asking to write, by
/// an empty user id and by an organization token (which the check passes as an empty user). Each must answer as
/// the ownership of the resource says, and NotFound for anything the caller may not see.
/// </summary>
public sealed class TenantAccessTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    public static TheoryData<ResourceKind> Kinds => new(Enum.GetValues<ResourceKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task OwnerOfA_SeesAsResource_AndNothingOfBs(ResourceKind kind)
    {
        var t = await TenantsAsync();

        await AssertGrantedAsync(t, new Caller(t.AOwnerId), t.A.Of(kind), Permission.Read, t.A.Id, OrganizationRole.Owner);
        await AssertGrantedAsync(t, new Caller(t.AOwnerId), t.A.Of(kind), Permission.OwnOrganization, t.A.Id, OrganizationRole.Owner);
        foreach (var permission in Enum.GetValues<Permission>())
        {
            await AssertNotFoundAsync(t, new Caller(t.AOwnerId), t.B.Of(kind), permission);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task OrganizationTokenOfA_SeesAsResource_AndNothingOfBs_EvenMadeByAMemberOfB(ResourceKind kind)
    {
        var t = await TenantsAsync();
        // The token's maker is B's ADMIN too: the token still acts in A only.
        var token = new Caller(t.MemberOfBothId, t.A.Id, OrganizationRole.Admin);

        await AssertGrantedAsync(t, token, t.A.Of(kind), Permission.ManageBilling, t.A.Id, OrganizationRole.Admin);
        foreach (var permission in Enum.GetValues<Permission>())
        {
            await AssertNotFoundAsync(t, token, t.B.Of(kind), permission);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task OrganizationTokenOfA_ActsWithItsOwnRole_NotItsMakersMembership(ResourceKind kind)
    {
        var t = await TenantsAsync();
        // A's owner made a VIEWER token: the token is a VIEWER, whatever its maker may do.
        var viewer = new Caller(t.AOwnerId, t.A.Id, OrganizationRole.Viewer);

        await AssertGrantedAsync(t, viewer, t.A.Of(kind), Permission.Read, t.A.Id, OrganizationRole.Viewer);
        await AssertForbiddenAsync(t, viewer, t.A.Of(kind), Permission.ManageServices);
        await AssertForbiddenAsync(t, viewer, t.A.Of(kind), Permission.OwnOrganization);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task MemberOfBoth_HasEachOrganizationsOwnRole(ResourceKind kind)
    {
        var t = await TenantsAsync();
        var both = new Caller(t.MemberOfBothId);

        await AssertGrantedAsync(t, both, t.A.Of(kind), Permission.Read, t.A.Id, OrganizationRole.Viewer);
        await AssertForbiddenAsync(t, both, t.A.Of(kind), Permission.ManageServices);
        await AssertGrantedAsync(t, both, t.B.Of(kind), Permission.ManageBilling, t.B.Id, OrganizationRole.Admin);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task RemovedMember_EmptyUser_AndUnknownIds_FindNothing(ResourceKind kind)
    {
        var t = await TenantsAsync();

        foreach (var permission in Enum.GetValues<Permission>())
        {
            await AssertNotFoundAsync(t, new Caller(t.RemovedFromBId), t.B.Of(kind), permission);
            await AssertNotFoundAsync(t, new Caller(Guid.Empty), t.B.Of(kind), permission);
            await AssertNotFoundAsync(t, new Caller(Guid.Empty), t.A.Of(kind), permission);
            await AssertNotFoundAsync(t, new Caller(t.AOwnerId), new Resource(kind, Guid.CreateVersion7()), permission);
            await AssertNotFoundAsync(t, new Caller(t.AOwnerId), new Resource(kind, Guid.Empty), permission);
            await AssertNotFoundAsync(t, new Caller(Guid.Empty, t.A.Id, OrganizationRole.Owner), new Resource(kind, Guid.Empty), permission);
            // A token of an organization that does not exist (or was deleted) finds nothing either.
            await AssertNotFoundAsync(t, new Caller(t.AOwnerId, Guid.CreateVersion7(), OrganizationRole.Owner), t.A.Of(kind), permission);
        }
    }

    [Fact]
    public async Task PersonalToken_IsNoOrganizationsResource()
    {
        var t = await TenantsAsync();

        await AssertNotFoundAsync(t, new Caller(t.AOwnerId), Resource.ApiToken(t.APersonalToken), Permission.Read);
        await AssertNotFoundAsync(t, new Caller(Guid.Empty, t.A.Id, OrganizationRole.Owner), Resource.ApiToken(t.APersonalToken), Permission.Read);
    }

    private static async Task AssertGrantedAsync(Tenants t, Caller caller, Resource resource, Permission permission, Guid organization, OrganizationRole role)
    {
        var result = await t.CheckAsync(caller, resource, permission);
        Assert.True(result.IsSuccess, $"{caller} on {resource} for {permission}: expected granted, got {result.Error}");
        Assert.Equal((organization, role), (result.Value.OrganizationId, result.Value.Role));
    }

    private static async Task AssertForbiddenAsync(Tenants t, Caller caller, Resource resource, Permission permission)
    {
        var result = await t.CheckAsync(caller, resource, permission);
        Assert.True(result is { IsSuccess: false, Error.Kind: ErrorKind.Forbidden }, $"{caller} on {resource} for {permission}: expected Forbidden, got {(result.IsSuccess ? "granted" : result.Error)}");
    }

    private static async Task AssertNotFoundAsync(Tenants t, Caller caller, Resource resource, Permission permission)
    {
        var result = await t.CheckAsync(caller, resource, permission);
        Assert.True(result is { IsSuccess: false, Error.Kind: ErrorKind.NotFound }, $"{caller} on {resource} for {permission}: expected NotFound, got {(result.IsSuccess ? "granted" : result.Error)}");
    }

    private Task<Tenants> TenantsAsync() => portal.SharedAsync(Tenants.CreateAsync);

    /// <summary>One resource of each kind of one organization.</summary>
    private sealed record Catalogue(Guid Id, Dictionary<ResourceKind, Guid> Ids)
    {
        public Resource Of(ResourceKind kind) => new(kind, Ids[kind]);

        public static async Task<Catalogue> CreateAsync(PortalFactory portal, HttpClient owner, string name)
        {
            var organization = await owner.CreateOrganizationAsync($"{name} {Guid.NewGuid():N}");
            var project = (await owner.CreateProjectAsync(organization, $"{name}-project")).Id();
            var environment = await owner.CreateEnvironmentAsync(project, $"{name}-env");
            var application = (await owner.CreateApplicationAsync(environment.Id(), $"{name}-app")).Id();
            var database = (await owner.CreateDatabaseAsync(environment.Id(), $"{name}db")).Id();
            var variable = (await (await owner.PostAsJsonAsync($"/api/application/{application}/environmentVariable", new { key = "GREETING", value = name }))
                .ReadJsonAsync(HttpStatusCode.Created, "POST environmentVariable")).Id();
            var invitation = await owner.InviteAsync(organization, ApiSessions.NewUser("Invited").Email, "DEVELOPER");
            var (token, _) = await owner.CreateOrganizationTokenAsync(organization, "ADMIN");

            var card = new CreditCard { OrganizationId = organization, ProtectedToken = "x", Brand = "visa", LastFour = "4242", ExpiryMonth = 12, ExpiryYear = 2099 };
            var invoice = new Invoice
            {
                OrganizationId = organization, Month = new DateOnly(2020, 1, 1), Number = $"T-{Guid.NewGuid():N}"[..20], Currency = "EUR", Lines = [],
                Status = InvoiceStatus.Paid,
            };
            await using (var scope = portal.Services.CreateAsyncScope())
            await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync())
            {
                db.AddRange(card, invoice);
                await db.SaveChangesAsync();
            }

            return new Catalogue(organization, new Dictionary<ResourceKind, Guid>
            {
                [ResourceKind.Organization] = organization,
                [ResourceKind.Invitation] = invitation,
                [ResourceKind.ApiToken] = token,
                [ResourceKind.Project] = project,
                [ResourceKind.Cluster] = Guid.Parse(environment.Text("cluster_id")!),
                [ResourceKind.Environment] = environment.Id(),
                [ResourceKind.Application] = application,
                [ResourceKind.Database] = database,
                [ResourceKind.Variable] = variable,
                [ResourceKind.CreditCard] = card.Id,
                [ResourceKind.Invoice] = invoice.Id,
            });
        }
    }

    private sealed class Tenants
    {
        public required PortalFactory Portal { get; init; }

        public required Catalogue A { get; init; }

        public required Catalogue B { get; init; }

        public required Guid AOwnerId { get; init; }

        public required Guid APersonalToken { get; init; }

        /// <summary>A VIEWER of A and an ADMIN of B.</summary>
        public required Guid MemberOfBothId { get; init; }

        /// <summary>Was a DEVELOPER of B, removed.</summary>
        public required Guid RemovedFromBId { get; init; }

        public async Task<Result<OrganizationAccess>> CheckAsync(Caller caller, Resource resource, Permission permission)
        {
            await using var scope = Portal.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<TenantAccess>().CheckAsync(caller, resource, permission);
        }

        public static async Task<Tenants> CreateAsync(PortalFactory portal)
        {
            var (aOwner, aUser) = await portal.CreateUserClientAsync();
            var (bOwner, _) = await portal.CreateUserClientAsync();
            var a = await Catalogue.CreateAsync(portal, aOwner, "alpha");
            var b = await Catalogue.CreateAsync(portal, bOwner, "bravo");
            var both = await portal.AddMemberAsync(bOwner, b.Id, "ADMIN");
            await both.JoinAsync(aOwner, a.Id, "VIEWER");
            var removed = await portal.AddMemberAsync(bOwner, b.Id, "DEVELOPER");
            (await bOwner.DeleteAsync($"/api/organization/{b.Id}/member/{removed.UserId}")).EnsureSuccessStatusCode();
            var personal = await (await aOwner.PostAsJsonAsync("/api/auth/token", new { email = aUser.Email, password = aUser.Password, name = "personal" }))
                .ReadJsonAsync(HttpStatusCode.Created, "POST /api/auth/token");
            return new Tenants
            {
                Portal = portal, A = a, B = b, AOwnerId = await aOwner.GetUserIdAsync(), APersonalToken = personal.Id(),
                MemberOfBothId = both.UserId, RemovedFromBId = removed.UserId,
            };
        }
    }
}
