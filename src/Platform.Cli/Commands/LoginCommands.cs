using System.ComponentModel;
using System.Text.Json.Nodes;
using Platform.Cli.Connection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Platform.Cli.Commands;

public sealed class LoginSettings : CommandSettings
{
    [CommandOption("--url <URL>")]
    [Description("The portal's address, e.g. https://platform.example.com")]
    public string? Url { get; init; }

    [CommandOption("--email <EMAIL>")]
    [Description("Exchange this account's email and password for a personal API token")]
    public string? Email { get; init; }

    [CommandOption("--password-stdin")]
    [Description("Read the password from the first line of standard input")]
    public bool PasswordStdin { get; init; }

    [CommandOption("--token <TOKEN>")]
    [Description("Use an API token made in the portal (personal or organization)")]
    public string? Token { get; init; }

    public override ValidationResult Validate() =>
        Url is null ? ValidationResult.Error("--url is required.")
        : (Email is null) == (Token is null) ? ValidationResult.Error("Give --email (with the password) or --token.")
        : PasswordStdin && Email is null ? ValidationResult.Error("--password-stdin goes with --email.")
        : ValidationResult.Success();
}

/// <summary>Stores the portal's URL and a token, after checking that the token is accepted.</summary>
public sealed class LoginCommand(CliContext cli) : AsyncCommand<LoginSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, LoginSettings settings, CancellationToken cancellationToken)
    {
        var url = CliConfig.ParseUrl(settings.Url!);
        using var anonymous = PlatformApi.Anonymous(url);
        var token = settings.Token;
        if (settings.Email is { } email)
        {
            var password = settings.PasswordStdin ? await cli.In.ReadLineAsync(cancellationToken) : ReadHidden();
            var issued = await anonymous.SendAsync(HttpMethod.Post, "auth/token",
                new JsonObject { ["email"] = email, ["password"] = password ?? "", ["name"] = $"platform-cli on {Environment.MachineName}" }, cancellationToken);
            token = issued.Body["token"]?.GetValue<string>() ?? throw new CliException("The portal answered no token.");
        }

        var config = new CliConfig(cli);
        var credentials = new Credentials(url, token!);
        await CheckAsync(credentials, cancellationToken);
        config.Save(credentials);
        cli.Out.WriteLine($"Logged in to {url}; the token is kept in {config.FilePath}.");
        return ExitCodes.Ok;
    }

    /// <summary>A token the portal refuses is not stored: one call with it answers 401 first.</summary>
    private static async Task CheckAsync(Credentials credentials, CancellationToken cancellationToken)
    {
        var variables = new Dictionary<string, string?>
        {
            [CliConfig.UrlVariable] = credentials.Url.ToString(),
            [CliConfig.TokenVariable] = credentials.Token,
        };
        using var api = PlatformApi.Connect(new CliContext(TextWriter.Null, TextWriter.Null, TextReader.Null, variables));
        await api.GetAsync("organization", cancellationToken);
    }

    private string? ReadHidden()
    {
        if (cli.In != Console.In || Console.IsInputRedirected)
        {
            return cli.In.ReadLine();
        }

        cli.Error.Write("Password: ");
        var password = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace && password.Length > 0)
            {
                password.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }

        cli.Error.WriteLine();
        return password.ToString();
    }
}

public sealed class LogoutCommand(CliContext cli) : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellationToken)
    {
        var config = new CliConfig(cli);
        cli.Out.WriteLine(config.Delete() ? $"Logged out: {config.FilePath} is deleted." : "Not logged in.");
        return ExitCodes.Ok;
    }
}
