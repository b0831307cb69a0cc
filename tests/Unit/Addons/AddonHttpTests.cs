using System.Net;
using Microsoft.Extensions.Options;
using Platform.Domain.Addons;
using Platform.Portal.Addons;

namespace Platform.Tests.Addons;

/// <summary>The addons' outbound client against real loopback receivers: what it refuses, what it does not follow.</summary>
public sealed class AddonHttpTests
{
    private static readonly Dictionary<string, string> NoHeaders = [];

    [Fact]
    public async Task LoopbackTarget_WithPrivateAddressesOff_IsRefusedAtConnect_AndTheErrorSaysSo()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var http = Client(new AddonSettings { AllowPrivateAddresses = false });

        var outcome = await http.PostJsonAsync(receiver.Url("/hook"), "{}", NoHeaders, [], CancellationToken.None);
        var byName = await http.PostJsonAsync(new Uri($"http://localhost:{receiver.BaseAddress.Port}/hook"), "{}", NoHeaders, [], CancellationToken.None);

        Assert.False(outcome.Delivered);
        Assert.StartsWith("refused: private address 127.0.0.1", outcome.Error, StringComparison.Ordinal);
        Assert.StartsWith("refused: private address", byName.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("/hook", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task Redirect_IsNotFollowed_AndIsAFailedAttemptSayingSo()
    {
        await using var target = await TestReceiver.StartAsync();
        await using var redirecting = await TestReceiver.StartAsync((_, context, _) =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = target.Url("/elsewhere").ToString();
            return Task.CompletedTask;
        });
        var http = Client(new AddonSettings { AllowPrivateAddresses = true });

        var outcome = await http.PostJsonAsync(redirecting.Url("/hook"), "{}", NoHeaders, [], CancellationToken.None);

        Assert.False(outcome.Delivered);
        Assert.Equal(302, outcome.HttpStatus);
        Assert.Equal("HTTP 302: a redirect, which is not followed", outcome.Error);
        Assert.Single(redirecting.Requests);
        Assert.Empty(target.Requests);
    }

    [Fact]
    public async Task LargeAnswer_IsReadOnlyUpToTheLimit_AndTheErrorKeepsAShortSnippet()
    {
        await using var receiver = await TestReceiver.AnsweringAsync(500, "oops\u0007 " + new string('x', 1_000_000));
        var http = Client(new AddonSettings { AllowPrivateAddresses = true, MaxResponseBytes = 1024 });

        var outcome = await http.PostJsonAsync(receiver.Url("/"), "{}", NoHeaders, [], CancellationToken.None);

        Assert.Equal(500, outcome.HttpStatus);
        Assert.StartsWith("HTTP 500: oops x", outcome.Error, StringComparison.Ordinal);
        Assert.True(outcome.Error!.Length < 200, outcome.Error);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.0.0.5", true)]
    [InlineData("172.16.3.4", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::1", true)]
    [InlineData("::", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd12:3456::1", true)]
    [InlineData("ff02::1", true)]
    [InlineData("::ffff:10.0.0.5", true)]
    [InlineData("64:ff9b::a00:5", true)]
    [InlineData("2002:7f00:1::", true)]
    [InlineData("93.184.216.34", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("2606:4700::1111", false)]
    public void PrivateAndSpecialAddresses_AreRefused_PublicOnesAreNot(string address, bool refused) =>
        Assert.Equal(refused, AddonHttp.IsRefused(IPAddress.Parse(address)));

    private static AddonHttp Client(AddonSettings settings) => new(new OneClient(settings), Options.Create(settings));

    private sealed class OneClient(AddonSettings settings) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(AddonHttp.Handler(settings), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
