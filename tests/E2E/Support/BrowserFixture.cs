using System.Globalization;
using Microsoft.Playwright;
using Platform.Tests.Support;

namespace Platform.E2E.Support;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright. Nothing here downloads a browser: the executable is
/// the one `apt-get install chromium` puts at /usr/bin/chromium (PLATFORM_CHROMIUM overrides it).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("PLATFORM_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Chromium was not found at {executable}: install it with apt-get install chromium (./test.sh does).");
        }

        // The first page of a cold portal on a busy 2-core machine can take longer than Playwright's 5 s default.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args =
            [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                // Applications have hosts of their own under apps.localhost, which Chromium resolves to loopback itself.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE *.localhost, EXCLUDE 127.0.0.1",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}

/// <summary>The real portal, sending its mail to an SMTP server the tests read.</summary>
public sealed class E2EPortal : IAsyncLifetime
{
    public SmtpCatcher Mail { get; } = new();

    public PortalFactory Portal { get; private set; } = null!;

    public Uri ServerAddress => Portal.ServerAddress;

    public Uri Url(string path) => new(ServerAddress, path);

    /// <summary>An organization with a project, environment, application and database, owned by a new user.</summary>
    public Task<Catalogue> CreateCatalogueAsync() => Catalogue.CreateAsync(Portal);

    public async Task InitializeAsync()
    {
        await Mail.StartAsync();
        // PortalFactory raises every rate limit: the browsers sign up and in from 127.0.0.1 all along.
        Portal = PortalFactory.With(new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = Mail.Port.ToString(CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            // The addons' receivers are started by the tests on loopback, which the portal refuses unless told.
            ["Addons:AllowPrivateAddresses"] = "true",
            ["Addons:RetryBaseSeconds"] = "1",
        });
        await ((IAsyncLifetime)Portal).InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)Portal).DisposeAsync();
        await Mail.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PortalInABrowser : ICollectionFixture<E2EPortal>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "portal in a browser";
}
