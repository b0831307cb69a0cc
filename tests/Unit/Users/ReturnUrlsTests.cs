using Platform.Portal.Users;

namespace Platform.Tests.Users;

public sealed class ReturnUrlsTests
{
    [Theory]
    [InlineData("/jobs", "/jobs")]
    [InlineData("/organization/1?tab=members", "/organization/1?tab=members")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData(null, "/")]
    public void Safe_KeepsOnlyLocalPaths(string? returnUrl, string expected) =>
        Assert.Equal(expected, ReturnUrls.Safe(returnUrl));

    /// <summary>Browsers drop tabs and line breaks from an address: <c>/\t/evil.example</c> would lead to <c>//evil.example</c>.</summary>
    [Theory]
    [InlineData("/\t/evil.example/")]
    [InlineData("/\n/evil.example/")]
    [InlineData("/\r\n/evil.example/")]
    [InlineData("/jobs\u0000")]
    public void Safe_RefusesPathsWithControlCharacters(string returnUrl) =>
        Assert.Equal("/", ReturnUrls.Safe(returnUrl));
}
