using System.Net;
using System.Text.RegularExpressions;
using Platform.Domain.Users;
using Platform.Tests.Support;

namespace Platform.Tests.Users;

/// <summary>Issue 16 point 8: forgot password, reset by a mailed link that expires, and email confirmation, through the real forms.</summary>
public sealed partial class AccountRecoveryTests(AccountPortal accounts) : IClassFixture<AccountPortal>
{
    private const string NewPassword = "a brand new passphrase";

    private PortalFactory Portal => accounts.Portal;

    [Fact]
    public async Task ResetLink_FromTheMail_SetsTheNewPassword_AndOnlyTheNewOneSignsIn()
    {
        var user = await accounts.CreateUserAsync();
        var link = await ResetLinkAsync(user.Email);

        var reset = await ResetAsync(link, NewPassword);
        var withOld = await Portal.CreateAnonymousClient(handleCookies: true).PostSignInFormAsync(user.Email, user.Password);
        var withNew = await Portal.CreateAnonymousClient(handleCookies: true).PostSignInFormAsync(user.Email, NewPassword);

        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        Assert.Equal("/account/signin?passwordReset=true", reset.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, withOld.StatusCode);
        Assert.Contains("Invalid email or password.", await withOld.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, withNew.StatusCode);
    }

    [Fact]
    public async Task ResetMail_SaysHowLongTheLinkWorks_AndTheLinkIsOnThePortalsAddress()
    {
        var user = await accounts.CreateUserAsync();

        await RequestResetAsync(user.Email);
        var mail = await accounts.MailAsync(user.Email, "Set a new Platform password");
        var link = AccountPortal.LinkIn(mail, AccountLinks.ResetPath);

        Assert.Contains("The link works for 1 hour", mail.TextBody, StringComparison.Ordinal);
        Assert.Equal(Portal.ServerAddress.GetLeftPart(UriPartial.Authority), link.GetLeftPart(UriPartial.Authority));
    }

    [Fact]
    public async Task ForgotPassword_WithAForgedHostHeader_MailsTheLinkOnThePortalsOwnAddress()
    {
        var user = await accounts.CreateUserAsync();
        var client = Portal.CreateAnonymousClient(handleCookies: true);
        client.DefaultRequestHeaders.Host = "attacker.example";

        var answer = await client.PostPageFormAsync("/account/forgot", "forgot", new() { ["Input.Email"] = user.Email });
        var link = AccountPortal.LinkIn(await accounts.MailAsync(user.Email, "Set a new Platform password"), AccountLinks.ResetPath);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(Portal.ServerAddress.GetLeftPart(UriPartial.Authority), link.GetLeftPart(UriPartial.Authority));
    }

    [Fact]
    public async Task SignUpWithATakenAddress_AndAForgedHostHeader_MailsTheOwnerLinksOnThePortalsOwnAddress()
    {
        var owner = await accounts.CreateUserAsync("Owner");
        var client = Portal.CreateAnonymousClient();
        client.DefaultRequestHeaders.Host = "attacker.example";

        await client.RegisterAsync(owner with { Password = "someone else's passphrase" });
        var mail = await accounts.MailAsync(owner.Email, "Someone tried to sign up");

        Assert.DoesNotContain("attacker.example", mail.TextBody, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"{Portal.ServerAddress.GetLeftPart(UriPartial.Authority)}/account/forgot", mail.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetAndConfirmationPages_SendNoReferrer_AndAreNotCached()
    {
        var user = await accounts.CreateUserAsync();
        var link = await ResetLinkAsync(user.Email);
        var client = Portal.CreateAnonymousClient();

        var reset = await client.GetAsync(link);
        var confirm = await client.GetAsync($"/{AccountLinks.ConfirmPath}?user={Guid.NewGuid()}&token=abc");

        foreach (var page in new[] { reset, confirm })
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("no-referrer", Assert.Single(page.Headers.GetValues("Referrer-Policy")));
            Assert.True(page.Headers.CacheControl?.NoStore, "the page is not kept by the browser's cache");
        }
    }

    [Fact]
    public async Task AccountMails_ToOneAddress_StopAfterTheHoursShare_WhileTheFormAnswersTheSame()
    {
        var user = await accounts.CreateUserAsync("Flooded");
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i <= AccountMailLimit.PerHour; i++)
        {
            // Each from a client of its own, as many senders would.
            answers.Add(await RequestResetAsync(user.Email));
        }

        await Deployments.Poll.UntilAsync(() => Task.FromResult(accounts.Smtp.To(user.Email).Count), n => n >= AccountMailLimit.PerHour,
            $"{AccountMailLimit.PerHour} reset mails to {user.Email}", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Contains("We emailed", Status(await answers[^1].Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(Status(await answers[0].Content.ReadAsStringAsync()), Status(await answers[^1].Content.ReadAsStringAsync()));
        Assert.Equal(AccountMailLimit.PerHour, accounts.Smtp.To(user.Email).Count);
    }

    [Fact]
    public async Task ForgotAndResetForms_WithoutAntiforgeryToken_AreRejected_AndChangeNothing()
    {
        var user = await accounts.CreateUserAsync();
        var link = await ResetLinkAsync(user.Email);
        var mails = accounts.Smtp.To(user.Email).Count;
        var client = Portal.CreateAnonymousClient(handleCookies: true);

        var forgot = await client.PostAsync("/account/forgot", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "forgot",
            ["Input.Email"] = user.Email,
        }));
        var reset = await client.PostAsync(link.PathAndQuery, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "reset",
            ["Input.Password"] = NewPassword,
        }));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var signIn = await Portal.CreateAnonymousClient(handleCookies: true).PostSignInFormAsync(user.Email, user.Password);

        Assert.Equal(HttpStatusCode.BadRequest, forgot.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, reset.StatusCode);
        Assert.Equal(mails, accounts.Smtp.To(user.Email).Count);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    [Fact]
    public async Task ResetLink_AfterItsHourHasPassed_IsRefused_AndThePasswordStays()
    {
        var user = await accounts.CreateUserAsync();
        var link = await ResetLinkAsync(user.Email);

        accounts.Clock.Advance(UserRules.PasswordResetLifetime + TimeSpan.FromMinutes(1));
        var page = await Portal.CreateAnonymousClient(handleCookies: true).GetStringAsync(link);
        var reset = await ResetAsync(link, NewPassword);
        var signIn = await Portal.CreateAnonymousClient(handleCookies: true).PostSignInFormAsync(user.Email, user.Password);

        Assert.Contains(UserService.InvalidLinkMessage, page, StringComparison.Ordinal);
        Assert.DoesNotContain("Set password", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    [Fact]
    public async Task ResetLink_UsedOnce_IsRefusedTheSecondTime()
    {
        var user = await accounts.CreateUserAsync();
        var link = await ResetLinkAsync(user.Email);
        Assert.Equal(HttpStatusCode.Redirect, (await ResetAsync(link, NewPassword)).StatusCode);

        var again = await ResetAsync(link, "yet another passphrase");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains(UserService.InvalidLinkMessage, await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetLink_WithAnAlteredToken_OrAnotherUsersId_IsRefused()
    {
        var user = await accounts.CreateUserAsync();
        var other = await accounts.ProfileAsync((await accounts.CreateUserAsync("Other")).Email);
        var link = await ResetLinkAsync(user.Email);
        var token = OrganizationSetup.TokenOf(link);
        var altered = new Uri(link, $"?user={(await accounts.ProfileAsync(user.Email)).Id}&token={token[..^2]}{(token[^2] == 'A' ? 'B' : 'A')}{token[^1]}");
        var foreign = new Uri(link, $"?user={other.Id}&token={token}");
        var mangled = new Uri(link, "?user=not-a-guid&token=x");

        var answers = new[] { await ResetAsync(altered, NewPassword), await ResetAsync(foreign, NewPassword), await ResetAsync(mangled, NewPassword) };

        foreach (var answer in answers)
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains(UserService.InvalidLinkMessage, await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Redirect, (await ResetAsync(link, NewPassword)).StatusCode);
    }

    [Fact]
    public async Task ResetForm_WithATooShortPassword_ShowsTheRuleOnThePasswordField_AndTheLinkStillWorks()
    {
        var user = await accounts.CreateUserAsync();
        var link = await ResetLinkAsync(user.Email);

        var tooShort = await ResetAsync(link, "short");
        var page = await tooShort.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, tooShort.StatusCode);
        Assert.Matches(FieldErrorAfterPassword(), page);
        Assert.Equal(HttpStatusCode.Redirect, (await ResetAsync(link, NewPassword)).StatusCode);
    }

    [Fact]
    public async Task ForgotPassword_ForAnUnknownEmail_AnswersTheSamePageAsForAnAccount_AndMailsThatAddress()
    {
        var user = await accounts.CreateUserAsync();
        var unknown = ApiSessions.NewUser("Nobody").Email;

        var known = await RequestResetAsync(user.Email);
        var stranger = await RequestResetAsync(unknown);
        var noAccount = await accounts.MailAsync(unknown, "Set a new Platform password");

        Assert.Equal(known.StatusCode, stranger.StatusCode);
        Assert.Equal(Status(await known.Content.ReadAsStringAsync()).Replace(user.Email, "ADDRESS", StringComparison.Ordinal),
            Status(await stranger.Content.ReadAsStringAsync()).Replace(unknown, "ADDRESS", StringComparison.Ordinal));
        Assert.Contains("We emailed ADDRESS", Status(await known.Content.ReadAsStringAsync()).Replace(user.Email, "ADDRESS", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("There is no account with this address", noAccount.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(AccountLinks.ResetPath, noAccount.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_EndsTheSessionsOpenedWithTheOldPassword()
    {
        var user = await accounts.CreateUserAsync();
        var session = await Portal.SignedInClientAsync(user);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/")).StatusCode);

        await ResetAsync(await ResetLinkAsync(user.Email), NewPassword);
        var after = await session.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/account/signin", after.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetTokens_AreNeverWrittenToTheLog()
    {
        var user = await accounts.CreateUserAsync();
        var link = await ResetLinkAsync(user.Email);
        await ResetAsync(link, "short");
        await ResetAsync(link, NewPassword);

        var token = OrganizationSetup.TokenOf(link);
        Assert.DoesNotContain(accounts.Log.Entries, e => e.Message.Contains(token[..20], StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignUp_MailsAConfirmationLink_ThatConfirmsTheAddress()
    {
        var user = ApiSessions.NewUser("Confirming");
        await Portal.CreateAnonymousClient(handleCookies: true).PostSignUpFormAsync(user);
        var mail = await accounts.MailAsync(user.Email, "Confirm your email address");
        Assert.False((await accounts.ProfileAsync(user.Email)).EmailConfirmed);

        var page = await Portal.CreateAnonymousClient().GetAsync(AccountPortal.LinkIn(mail, AccountLinks.ConfirmPath));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Your email is confirmed", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True((await accounts.ProfileAsync(user.Email)).EmailConfirmed);
        Assert.Contains("The link works for 3 days", mail.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfirmationLink_WithAnAlteredToken_DoesNotConfirm()
    {
        var user = ApiSessions.NewUser("Forger");
        await Portal.CreateAnonymousClient().RegisterAsync(user);
        var link = AccountPortal.LinkIn(await accounts.MailAsync(user.Email, "Confirm your email address"), AccountLinks.ConfirmPath);
        var token = OrganizationSetup.TokenOf(link);

        var page = await Portal.CreateAnonymousClient().GetAsync(new Uri(link, $"?user={(await accounts.ProfileAsync(user.Email)).Id}&token={token[..^3]}"));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(UserService.InvalidLinkMessage, await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False((await accounts.ProfileAsync(user.Email)).EmailConfirmed);
    }

    [Fact]
    public async Task Invitation_IsAcceptedByItsLink_ByAnInviteeWhoseEmailIsNotConfirmed()
    {
        var (owner, _) = await Portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync("Unconfirmed joiner");
        var invitee = ApiSessions.NewUser("Joiner");
        var invitation = await owner.SendInvitationAsync(organization, invitee.Email, "DEVELOPER");
        var client = Portal.CreateAnonymousClient();
        await (await client.RegisterAsync(invitee)).ExpectAsync(HttpStatusCode.Created, "register the invitee");
        client.DefaultRequestHeaders.Authorization = new("Bearer", await client.IssueTokenAsync(invitee));

        var accepted = await client.PostAcceptAsync(organization, invitation.Id, invitation.Token);

        Assert.False((await accounts.ProfileAsync(invitee.Email)).EmailConfirmed);
        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        Assert.Equal("DEVELOPER", (await owner.GetMemberRolesAsync(organization))[await client.GetUserIdAsync()]);
    }

    private async Task<HttpResponseMessage> RequestResetAsync(string email) =>
        await Portal.CreateAnonymousClient(handleCookies: true).PostPageFormAsync("/account/forgot", "forgot", new() { ["Input.Email"] = email });

    private async Task<Uri> ResetLinkAsync(string email)
    {
        var before = accounts.Smtp.To(email).Count;
        var answer = await RequestResetAsync(email);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        await Deployments.Poll.UntilAsync(() => Task.FromResult(accounts.Smtp.To(email).Count), n => n > before, $"a reset mail to {email}", TimeSpan.FromSeconds(30));
        return AccountPortal.LinkIn(accounts.Smtp.To(email)[^1], AccountLinks.ResetPath);
    }

    private async Task<HttpResponseMessage> ResetAsync(Uri link, string password) =>
        await Portal.CreateAnonymousClient(handleCookies: true).PostPageFormAsync(
            link.PathAndQuery, "reset", new() { ["Input.Password"] = password }, tokenFrom: "/account/forgot");

    private static string Status(string page) => StatusText().Match(page).Groups[1].Value;

    [GeneratedRegex("role=\"status\"[^>]*>(.*?)</div>\\s*</div>", RegexOptions.Singleline)]
    private static partial Regex StatusText();

    [GeneratedRegex("autocomplete=\"new-password\"[^>]*>\\s*<small class=\"auth-help\">[^<]*</small>\\s*<small class=\"auth-error\">Use between 10 and 128 characters.</small>", RegexOptions.Singleline)]
    private static partial Regex FieldErrorAfterPassword();
}
