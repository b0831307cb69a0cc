using System.Net;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Infrastructure;

public sealed class OpenApiTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task OpenApiDocument_DescribesTheApiInSnakeCase()
    {
        var document = JsonNode.Parse(await portal.CreateAnonymousClient().GetStringAsync("/openapi/v1.json"))!;

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/auth/register", paths);
        Assert.Contains("/api/auth/token", paths);
        Assert.Contains("/api/user", paths);
        var properties = document["components"]!["schemas"]!["RegisterRequest"]!["properties"]!.AsObject().Select(p => p.Key);
        Assert.Equal(["email", "first_name", "last_name", "password", "referral_code"], properties.Order());
        Assert.NotNull(document["components"]!["securitySchemes"]!["Bearer"]);
    }

    [Theory]
    [InlineData("/api/auth/token", "post", "sign-in")]
    [InlineData("/api/auth/register", "post", "sign-up")]
    [InlineData("/api/organization/{id}/invitation/{invitationId}/accept", "post", "invitation")]
    [InlineData("/api/user", "get", null)]
    [InlineData("/api/organization/{id}/project", "post", null)]
    public async Task OpenApiDocument_Documents429WithRetryAfter_OnRateLimitedOperations(string path, string method, string? policy)
    {
        var document = JsonNode.Parse(await portal.CreateAnonymousClient().GetStringAsync("/openapi/v1.json"))!;

        var tooMany = document["paths"]![path]![method]!["responses"]!["429"]!;

        Assert.NotNull(tooMany["headers"]!["Retry-After"]);
        Assert.Equal("#/components/schemas/ProblemDetails", tooMany["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.NotNull(document["components"]!["schemas"]!["ProblemDetails"]!["properties"]!["detail"]);
        if (policy is not null)
        {
            Assert.Contains($"`{policy}`", tooMany["description"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ApiReference_IsBrowsable()
    {
        var response = await portal.CreateAnonymousClient().GetAsync("/reference/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("openapi/v1.json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
