using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Platform.Domain.Users;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Users;

/// <summary>
/// A portal mailing through the test's SMTP server, on a clock the tests move (the one account tokens expire by), that
/// checks every session's security stamp on each request (the portal checks once a minute), and keeps its log.
/// </summary>
public sealed partial class AccountPortal : IAsyncLifetime
{
    public AccountPortal() => Portal = PortalFactory.With(
        new Dictionary<string, string?>
        {
            [TestSmtp.HostKey] = TestSmtp.Host,
            [TestSmtp.PortKey] = Smtp.PortSetting,
            [TestSmtp.SecurityKey] = TestSmtp.Security,
        },
        services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<ILoggerProvider>(Log);
            services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.Zero);
        });

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public CapturedLog Log { get; } = new();

    public TestSmtp Smtp { get; } = new();

    public PortalFactory Portal { get; }

    public async Task InitializeAsync()
    {
        Smtp.Start();
        await Portal.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)Portal).DisposeAsync();
        await Smtp.DisposeAsync();
    }

    /// <summary>Creates an account in-process (no confirmation mail: no portal address is given).</summary>
    public async Task<TestUser> CreateUserAsync(string firstName = "Ada")
    {
        var user = ApiSessions.NewUser(firstName);
        await using var scope = Portal.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<UserService>()
            .RegisterAsync(new RegisterUser(user.Email, user.Password, user.FirstName, user.LastName));
        return created.IsSuccess ? user : throw new InvalidOperationException(created.Error!.Message);
    }

    public async Task<UserProfile> ProfileAsync(string email)
    {
        await using var scope = Portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserService>().FindByEmailAsync(email)
            ?? throw new InvalidOperationException($"No account for {email}.");
    }

    /// <summary>The first mail to this address whose subject starts so, waiting for the mail job to send it.</summary>
    public async Task<MimeMessage> MailAsync(string to, string subject) =>
        (await Poll.UntilAsync(
            () => Task.FromResult(Smtp.To(to).FirstOrDefault(m => m.Subject?.StartsWith(subject, StringComparison.Ordinal) == true)),
            m => m is not null, $"a mail \"{subject}\" to {to}", TimeSpan.FromSeconds(30)))!;

    /// <summary>The portal link in a mail's text that goes to this page.</summary>
    public static Uri LinkIn(MimeMessage mail, string path) =>
        new(Link().Matches(mail.TextBody ?? "").Select(m => m.Value).First(l => new Uri(l).AbsolutePath == $"/{path}"));

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Link();
}
