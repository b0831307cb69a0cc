using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Infrastructure;

/// <summary>
/// The served OpenAPI document is the committed docs/api/openapi.json, which Spectral and client generators read.
/// scripts/update-openapi.sh runs this test with PLATFORM_UPDATE_OPENAPI=1 to write the file instead.
/// </summary>
public sealed class OpenApiContractTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public async Task ServedOpenApiDocumentMatchesTheCommittedContract()
    {
        var served = Normalize(await portal.CreateAnonymousClient().GetStringAsync("/openapi/v1.json"));
        var file = Path.Combine(RepositoryRoot(), "docs", "api", "openapi.json");

        if (Environment.GetEnvironmentVariable("PLATFORM_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(file, served);
            return;
        }

        var committed = File.Exists(file) ? (await File.ReadAllTextAsync(file)).ReplaceLineEndings("\n") : "";
        Assert.True(committed == served, "docs/api/openapi.json differs from the served /openapi/v1.json: run scripts/update-openapi.sh");
    }

    /// <summary>Pretty, with LF line ends and a final newline, so that the file diffs well.</summary>
    public static string Normalize(string document) =>
        JsonNode.Parse(document)!.ToJsonString(Pretty).ReplaceLineEndings("\n") + "\n";

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Platform.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Platform.sln not found above " + AppContext.BaseDirectory);
    }
}
