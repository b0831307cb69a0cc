using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Users;
using Platform.Portal.Infrastructure;
using Platform.Portal.Users;
using Platform.Tests.Support;

namespace Platform.Tests.Users;

/// <summary>The portal's "Confirm your email" banner, on the host's own UserService and mail.</summary>
public sealed class EmailConfirmationBannerTests(AccountPortal accounts) : IClassFixture<AccountPortal>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Banner_ForAnUnconfirmedUser_AsksToConfirm_AndResendMailsANewLink()
    {
        var user = await accounts.CreateUserAsync();
        var profile = await accounts.ProfileAsync(user.Email);
        await using var context = CreateContext(user.Email, profile.Id);

        var banner = context.Render<EmailConfirmationBanner>();
        await banner.WaitForAssertionAsync(() => Assert.Contains("Confirm your email.", banner.Markup, StringComparison.Ordinal), Wait);
        await banner.Find("button").ClickAsync(new());
        var mail = await accounts.MailAsync(user.Email, "Confirm your email address");

        await banner.WaitForAssertionAsync(() => Assert.Equal("A new link is on its way.", banner.Find("[role=status]").TextContent), Wait);
        Assert.Empty(banner.FindAll("button"));
        Assert.Equal($"/{AccountLinks.ConfirmPath}", AccountPortal.LinkIn(mail, AccountLinks.ConfirmPath).AbsolutePath);
    }

    private BunitContext CreateContext(string email, Guid userId)
    {
        var context = accounts.Portal.CreateComponentContext(email, userId).WithHostService<UserService>();
        context.Services.AddSingleton(accounts.Portal.Services.GetRequiredService<PortalLinks>());
        context.Services.AddSingleton(accounts.Portal.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>());
        return context;
    }
}
