using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Organizations;
using Platform.Tests.Support;

namespace Platform.Tests.Infrastructure;

/// <summary>A portal whose organization service cannot be made: every page in the portal's layout fails (its switcher needs it).</summary>
public sealed class BrokenLayoutPortal : IAsyncLifetime
{
    public const string Secret = "connection refused by db-7.internal";

    public PortalFactory Portal { get; } = PortalFactory.With(new Dictionary<string, string?>(), services =>
        services.AddScoped<OrganizationService>(_ => throw new InvalidOperationException(Secret)));

    public Task InitializeAsync() => Portal.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)Portal).DisposeAsync();
}

public sealed class PageFailureTests(BrokenLayoutPortal broken) : IClassFixture<BrokenLayoutPortal>
{
    [Fact]
    public async Task PageThatFails_Answers500WithATraceIdAndNoStack()
    {
        var (_, user) = await broken.Portal.CreateUserClientAsync();
        var browser = await broken.Portal.SignedInClientAsync(user);

        var response = await browser.GetAsync("/");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Something went wrong", page, StringComparison.Ordinal);
        Assert.Matches("data-testid=\"trace-id\">[0-9a-f]{2}-[0-9a-f]{32}-", page);
        Assert.DoesNotContain(BrokenLayoutPortal.Secret, page, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\bat [\w.]+\(|\.cs:line|Exception", page);
    }

    [Fact]
    public async Task ApiCallThatFails_StillAnswersProblemDetails()
    {
        var (client, _) = await broken.Portal.CreateUserClientAsync();

        var response = await client.GetAsync("/api/organization");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(BrokenLayoutPortal.Secret, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
