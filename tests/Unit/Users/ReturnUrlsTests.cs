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
}
