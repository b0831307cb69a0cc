using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Infrastructure;

public sealed class ProblemDetailsTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task MalformedJson_Returns400ProblemWithoutStackTrace()
    {
        using var body = new StringContent("{\"email\": 5, ", Encoding.UTF8, "application/json");

        var response = await portal.CreateAnonymousClient().PostAsync("/api/auth/register", body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotMatch(@"\bat [\w.]+\(|\.cs:line|Exception", text);
    }

    [Fact]
    public async Task WrongJsonType_Returns400NamingTheField()
    {
        using var body = new StringContent("{\"email\": 5}", Encoding.UTF8, "application/json");

        var response = await portal.CreateAnonymousClient().PostAsync("/api/auth/register", body);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("$.email", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingBody_Returns400Problem()
    {
        using var body = new StringContent("", Encoding.UTF8, "application/json");

        var response = await portal.CreateAnonymousClient().PostAsync("/api/auth/register", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task BodyOverOneMebibyte_Returns413Problem()
    {
        using var body = new StringContent(new string('a', 1024 * 1024 + 1), Encoding.UTF8, "application/json");

        var response = await portal.CreateAnonymousClient().PostAsync("/api/auth/register", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task StreamedBodyOverOneMebibyte_Returns413Problem()
    {
        // A valid start of JSON, so the reader keeps buffering the string until the server's limit stops it.
        var json = Encoding.UTF8.GetBytes("{\"email\": \"" + new string('a', 1024 * 1024 + 4096) + "\"}");
        using var body = new StreamContent(new MemoryStream(json));
        body.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/register") { Content = body };
        request.Headers.TransferEncodingChunked = true;

        var response = await portal.CreateAnonymousClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task UnknownApiPath_Returns404Problem()
    {
        var (client, _) = await portal.CreateUserClientAsync();

        var response = await client.GetAsync("/api/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
