using System.Net;
using System.Text.Json.Nodes;
using Platform.Domain.Applications;
using Platform.Domain.Common;
using Platform.Domain.Variables;
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

    [Theory]
    [InlineData("registerUser", "/api/auth/register", "post")]
    [InlineData("createAuthToken", "/api/auth/token", "post")]
    [InlineData("listOrganizations", "/api/organization", "get")]
    [InlineData("createOrganization", "/api/organization", "post")]
    [InlineData("listProjects", "/api/organization/{id}/project", "get")]
    [InlineData("createProject", "/api/organization/{id}/project", "post")]
    [InlineData("listEnvironments", "/api/project/{id}/environment", "get")]
    [InlineData("createEnvironment", "/api/project/{id}/environment", "post")]
    [InlineData("listApplications", "/api/environment/{id}/application", "get")]
    [InlineData("createApplication", "/api/environment/{id}/application", "post")]
    [InlineData("deployApplication", "/api/application/{id}/deploy", "post")]
    [InlineData("getApplicationStatus", "/api/application/{id}/status", "get")]
    [InlineData("listApplicationLogs", "/api/application/{id}/log", "get")]
    [InlineData("listApplicationDeployments", "/api/application/{id}/deployment", "get")]
    [InlineData("listEnvironmentDeployments", "/api/environment/{id}/deployment", "get")]
    [InlineData("abortEnvironmentDeployment", "/api/environment/{envId}/deployment/{id}/abortDeploy", "post")]
    [InlineData("rollbackEnvironmentDeployment", "/api/environment/{envId}/deployment/{id}/rollback", "post")]
    [InlineData("listEnvironmentEvents", "/api/environment/{id}/event", "get")]
    [InlineData("listApplicationEnvironmentVariables", "/api/application/{id}/environmentVariable", "get")]
    [InlineData("createApplicationEnvironmentVariable", "/api/application/{id}/environmentVariable", "post")]
    public async Task OpenApiDocument_NamesTheFixedOperationIds(string operationId, string path, string method)
    {
        var document = await DocumentAsync();

        Assert.Equal(operationId, document["paths"]![path]![method]!["operationId"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenApiDocument_OffersBearerOrToken_OnProtectedOperationsOnly()
    {
        var document = await DocumentAsync();

        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal("bearer", schemes["Bearer"]!["scheme"]!.GetValue<string>());
        Assert.Equal("Authorization", schemes["Token"]!["name"]!.GetValue<string>());
        Assert.Null(document["security"]);
        var alternatives = document["paths"]!["/api/user"]!["get"]!["security"]!.AsArray().Select(r => r!.AsObject().Single().Key);
        Assert.Equal(["Bearer", "Token"], alternatives);
        Assert.Empty(document["paths"]!["/api/auth/register"]!["post"]!["security"]!.AsArray().Single()!.AsObject());
        Assert.NotNull(document["paths"]!["/api/user"]!["get"]!["responses"]!["401"]);
        Assert.Null(document["paths"]!["/api/auth/register"]!["post"]!["responses"]!["401"]);
    }

    [Fact]
    public async Task OpenApiDocument_GivesEveryOperationAnIdASummaryATagAndProblemErrors()
    {
        var document = await DocumentAsync();

        var operations = document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()).Select(o => o.Value!).ToList();
        Assert.All(operations, o =>
        {
            Assert.False(string.IsNullOrEmpty(o["operationId"]?.GetValue<string>()));
            Assert.False(string.IsNullOrEmpty(o["summary"]?.GetValue<string>()));
            Assert.Single(o["tags"]!.AsArray());
            Assert.NotNull(o["responses"]!["500"]!["content"]!["application/problem+json"]);
        });
        Assert.Equal(operations.Count, operations.Select(o => o["operationId"]!.GetValue<string>()).Distinct().Count());
        var create = document["paths"]!["/api/environment/{id}/application"]!["post"]!["responses"]!;
        Assert.Equal("#/components/schemas/ValidationProblemDetails", create["400"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.All(new[] { "401", "403", "404", "409", "413", "429" }, status => Assert.NotNull(create[status]));
    }

    [Fact]
    public async Task OpenApiDocument_BoundsRequestFieldsWithTheValidationRules()
    {
        var document = await DocumentAsync();

        var application = document["components"]!["schemas"]!["ApplicationInput"]!["properties"]!;
        Assert.Equal(Names.MaxLength, application["name"]!["maxLength"]!.GetValue<int>());
        Assert.Equal(Names.PatternText, application["name"]!["pattern"]!.GetValue<string>());
        Assert.Equal(ApplicationRules.MaxPort, application["port"]!["maximum"]!.GetValue<int>());
        var variable = document["components"]!["schemas"]!["VariableInput"]!["properties"]!;
        Assert.Equal(VariableRules.KeyPatternText, variable["key"]!["pattern"]!.GetValue<string>());
        var regex = document["paths"]!["/api/project/{id}/addon/matchingEnvironments"]!["get"]!["parameters"]!.AsArray()
            .Single(p => p!["name"]!.GetValue<string>() == "regex")!;
        Assert.Equal("query", regex["in"]!.GetValue<string>());
    }

    private async Task<JsonNode> DocumentAsync() =>
        JsonNode.Parse(await portal.CreateAnonymousClient().GetStringAsync("/openapi/v1.json"))!;
}
