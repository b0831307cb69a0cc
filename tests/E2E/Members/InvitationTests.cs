using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Platform.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Members;

[Collection(PortalInABrowser.Name)]
public sealed partial class InvitationTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext _ownerBrowser = null!;
    private IBrowserContext _inviteeBrowser = null!;

    public async Task InitializeAsync()
    {
        _ownerBrowser = await browser.Browser.NewContextAsync();
        _inviteeBrowser = await browser.Browser.NewContextAsync();
    }

    public async Task DisposeAsync()
    {
        await _ownerBrowser.DisposeAsync();
        await _inviteeBrowser.DisposeAsync();
    }

    [Fact]
    public async Task Invitation_MailedOverSmtp_IsAcceptedByTheInviteeInTheBrowser()
    {
        var owner = new PortalPages(await _ownerBrowser.NewPageAsync(), portal.ServerAddress);
        var organization = $"Acme {Guid.NewGuid():N}"[..13];
        var invitee = BrowserUser.New("Bob", "Builder");
        await owner.SignUpAsync(BrowserUser.New("Olivia", "Owner"));
        await owner.CreateOrganizationAsync(organization);
        await owner.InviteMemberAsync(invitee.Email);

        var mail = await portal.Mail.WaitForMessageToAsync(invitee.Email, TimeSpan.FromSeconds(30));
        var link = InvitationLink().Match(mail.TextBody ?? "").Value;
        Assert.Contains(organization, mail.Subject, StringComparison.Ordinal);

        var page = await _inviteeBrowser.NewPageAsync();
        await page.GotoAsync(link);
        await Expect(page).ToHaveURLAsync(new Regex("/account/signin\\?returnUrl="));
        await page.GetByRole(AriaRole.Link, new() { Name = "Create one" }).ClickAsync();
        var visitor = new PortalPages(page, portal.ServerAddress);
        await visitor.FillSignUpAsync(invitee);
        await visitor.SubmitSignInAsync(invitee.Email, invitee.Password);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Join {organization}" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Accept the invitation" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = organization })).ToBeVisibleAsync();
        await Expect(page.GetByText("Developer").First).ToBeVisibleAsync();
        await owner.Page.ReloadAsync();
        await Expect(owner.Page.GetByRole(AriaRole.Cell, new() { Name = invitee.Email, Exact = true })).ToBeVisibleAsync();
        await Expect(owner.Page.GetByText("No invitation is waiting for an answer.")).ToBeVisibleAsync();
    }

    [GeneratedRegex(@"https?://\S+/invitation/[0-9a-f-]{36}\?token=[A-Za-z0-9_-]{43}")]
    private static partial Regex InvitationLink();
}
