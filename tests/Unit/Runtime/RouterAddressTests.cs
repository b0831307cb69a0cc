using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Platform.Portal.Infrastructure;
using Platform.Portal.Runtime;

namespace Platform.Tests.Runtime;

/// <summary>Applications' host names: the DNS label rules, which host is an application's, and the settings.</summary>
public sealed partial class RouterAddressTests
{
    private static readonly Guid Id = Guid.Parse("0195f3c2-7a10-7c3e-9d41-5e2a1b3c4d5e");

    [Fact]
    public void Label_IsTheNameInLowerCase_WithUnderscoresAsHyphens_ThenTheIdSuffix()
    {
        Assert.Equal("my-web-app-1b3c4d5e", RouterAddress.Label("My_Web__app", Id));
    }

    [Fact]
    public void Label_OfTheLongestName_IsShortenedTo63Characters_AndKeepsTheIdSuffix()
    {
        var name = new string('a', 53) + "_" + new string('b', 9);

        var label = RouterAddress.Label(name, Id);

        Assert.Equal(new string('a', 53) + "-1b3c4d5e", label);
        Assert.Matches(DnsLabel(), RouterAddress.Label(new string('x', 63), Id));
        Assert.Equal(63, RouterAddress.Label(new string('x', 63), Id).Length);
    }

    [Fact]
    public void Find_GoesByTheIdSuffix_WhateverTheNamePart_AndTakesOneLabelOnly()
    {
        var router = Router();
        router.Route(Id);

        Assert.Equal(Id, router.Find(RouterAddress.Label(new string('x', 63), Id)));
        Assert.Equal(Id, router.Find("renamed-1B3C4D5E"));
        Assert.Equal(Id, router.Find("1b3c4d5e"));
        Assert.Null(router.Find("evil.web-1b3c4d5e"));
        Assert.Null(router.Find("web-00000000"));
    }

    [Theory]
    [InlineData("web-1b3c4d5e.apps.localhost:5080", true, "web-1b3c4d5e")]
    [InlineData("WEB-1B3C4D5E.Apps.Localhost.", true, "WEB-1B3C4D5E")]
    [InlineData("apps.localhost", true, "")]
    [InlineData("evilapps.localhost", false, "")]
    [InlineData("localhost:5080", false, "")]
    [InlineData("127.0.0.1:5080", false, "")]
    public void IsAppsHost_IsTheAppsDomainOrAHostUnderIt(string host, bool expected, string expectedLabel)
    {
        Assert.Equal(expected, Router().IsAppsHost(HostString.FromUriComponent(host), out var label));
        Assert.Equal(expectedLabel, label);
    }

    [Fact]
    public void UrlOf_TakesTheSchemeAndPortOfThePortalsAddress()
    {
        Assert.Equal(new Uri("http://web-1b3c4d5e.apps.localhost:5080/"), Router().UrlOf("web", Id));
        Assert.Equal(new Uri("https://web-1b3c4d5e.apps.localhost:8443/"), Router(("PORTAL_PUBLIC_URL", "https://portal.example.com:8443")).UrlOf("web", Id));
        Assert.Equal(new Uri("http://web-1b3c4d5e.apps.example.com:5080/"), Router(("PORTAL_APPS_DOMAIN", "Apps.Example.com")).UrlOf("web", Id));
    }

    [Fact]
    public void UrlOf_WithAppsUrl_TakesItsSchemeDomainAndPort()
    {
        var router = Router(("Portal:AppsUrl", "https://{label}.apps.example.com"), ("Portal:PublicUrl", "https://portal.example.com"));

        Assert.Equal(new Uri("https://web-1b3c4d5e.apps.example.com/"), router.UrlOf("web", Id));
        Assert.True(router.IsAppsHost(new HostString("web-1b3c4d5e.apps.example.com"), out _));
        Assert.False(router.IsAppsHost(new HostString("portal.example.com"), out _));
    }

    [Theory]
    [InlineData("PORTAL_APPS_URL", "https://apps.example.com")]
    [InlineData("PORTAL_APPS_URL", "https://{label}.apps.example.com/prefix/")]
    [InlineData("PORTAL_APPS_URL", "ftp://{label}.apps.example.com")]
    [InlineData("PORTAL_APPS_DOMAIN", "localhost")]
    [InlineData("PORTAL_APPS_DOMAIN", "apps example.com")]
    [InlineData("PORTAL_PUBLIC_URL", "http://portal.apps.localhost:5080")]
    public void Settings_ThatCannotWork_AreRefusedAtStart(string key, string value)
    {
        var refused = Assert.Throws<InvalidSettingException>(() => Router((key, value)));

        Assert.Contains(key == "PORTAL_PUBLIC_URL" ? "PORTAL_APPS_DOMAIN" : key, refused.Message, StringComparison.Ordinal);
    }

    private static RouterAddress Router(params (string Key, string Value)[] settings) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build(), new ListeningServer());

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex DnsLabel();

    /// <summary>A server that says it listens on 127.0.0.1:5080, as the portal does by default.</summary>
    private sealed class ListeningServer : IServer
    {
        public IFeatureCollection Features { get; } = Listening();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }

        private static FeatureCollection Listening()
        {
            var addresses = new ServerAddressesFeature();
            addresses.Addresses.Add("http://127.0.0.1:5080");
            var features = new FeatureCollection();
            features.Set<IServerAddressesFeature>(addresses);
            return features;
        }
    }
}
