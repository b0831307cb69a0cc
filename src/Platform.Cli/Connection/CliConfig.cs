using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Cli.Connection;

/// <summary>Where the client talks to and with which token.</summary>
public sealed record Credentials(Uri Url, string Token);

/// <summary>
/// The login kept between invocations: ($XDG_CONFIG_HOME or ~/.config)/platform/config.json, readable by its owner only
/// (folder 0700, file 0600). PLATFORM_URL and PLATFORM_TOKEN override what it holds.
/// </summary>
public sealed class CliConfig(CliContext context)
{
    public const string UrlVariable = "PLATFORM_URL";
    public const string TokenVariable = "PLATFORM_TOKEN";

    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Folder
    {
        get
        {
            var root = context.Variable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(context.Variable("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return Path.Combine(root, "platform");
        }
    }

    public string FilePath => Path.Combine(Folder, "config.json");

    /// <summary>The credentials to use, or a message saying how to log in.</summary>
    public Credentials Load()
    {
        string? url = null, token = null;
        if (File.Exists(FilePath))
        {
            try
            {
                var stored = JsonNode.Parse(File.ReadAllText(FilePath));
                url = stored?["url"]?.GetValue<string>();
                token = stored?["token"]?.GetValue<string>();
            }
            catch (Exception exception) when (exception is JsonException or InvalidOperationException)
            {
                throw new CliException($"{FilePath} is not a valid configuration file: run platform login again.");
            }
        }

        url = context.Variable(UrlVariable) is { Length: > 0 } urlOverride ? urlOverride : url;
        token = context.Variable(TokenVariable) is { Length: > 0 } tokenOverride ? tokenOverride : token;
        if (url is null || token is null)
        {
            throw new CliException("Not logged in: run platform login --url URL --email E (or set PLATFORM_URL and PLATFORM_TOKEN).");
        }

        return new Credentials(ParseUrl(url), token);
    }

    public void Save(Credentials credentials)
    {
        var unix = !OperatingSystem.IsWindows();
        if (unix)
        {
            Directory.CreateDirectory(Folder, OwnerOnlyFolder);
            File.SetUnixFileMode(Folder, OwnerOnlyFolder);
        }
        else
        {
            Directory.CreateDirectory(Folder);
        }

        var body = new JsonObject { ["url"] = credentials.Url.ToString(), ["token"] = credentials.Token }.ToJsonString();

        // Written beside the file with the owner-only mode from the start, then moved over it: never readable by others.
        var temporary = FilePath + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (unix)
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(body);
        }

        File.Move(temporary, FilePath, overwrite: true);
    }

    /// <summary>Forgets the stored login; answers whether there was one.</summary>
    public bool Delete()
    {
        var existed = File.Exists(FilePath);
        File.Delete(FilePath);
        return existed;
    }

    public static Uri ParseUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new CliException($"'{url}' is not an http(s) URL.", ExitCodes.Usage);
}
