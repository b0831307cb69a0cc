using System.ComponentModel;
using System.Text.Json.Nodes;
using Platform.Cli.Connection;
using Platform.Cli.Output;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Platform.Cli.Commands;

public sealed class EnvImportSettings : OutputSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("The .env file: KEY=value lines")]
    public string File { get; init; } = "";

    [CommandOption("--app <ID>")]
    public Guid? App { get; init; }

    [CommandOption("--env <ID>")]
    public Guid? Env { get; init; }

    [CommandOption("--project <ID>")]
    public Guid? Project { get; init; }

    [CommandOption("--org <ID>")]
    public Guid? Org { get; init; }

    [CommandOption("--overwrite")]
    [Description("Change the keys that are already set (they are skipped otherwise)")]
    public bool Overwrite { get; init; }

    [CommandOption("--secret")]
    [Description("Not available: the API imports plain variables only (see var set --secret)")]
    public bool Secret { get; init; }

    /// <summary>The holder's path segment and id.</summary>
    public (string Holder, Guid Id) Target =>
        App is { } app ? ("application", app) : Env is { } env ? ("environment", env) : Project is { } project ? ("project", project) : ("organization", Org!.Value);

    public override ValidationResult Validate()
    {
        // The API's import makes variables only; importing secrets would need the .env rules written a second time here.
        if (Secret)
        {
            return ValidationResult.Error("The API imports .env files as plain variables only: set secrets one by one with platform var set KEY=VALUE --app ID --secret.");
        }

        return Require.OneOf((App, "--app"), (Env, "--env"), (Project, "--project"), (Org, "--org")) is { Successful: false } error ? error : base.Validate();
    }
}

/// <summary>POST /:holder/:id/environmentVariable/import with the file's text: created, updated and skipped keys, errors per line.</summary>
public sealed class EnvImportCommand(CliContext context) : ApiCommand<EnvImportSettings>(context)
{
    protected override async Task<int> RunAsync(PlatformApi api, EnvImportSettings settings, CancellationToken cancellationToken)
    {
        string content;
        try
        {
            content = await System.IO.File.ReadAllTextAsync(settings.File, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{settings.File} could not be read: {exception.Message}");
        }

        var (holder, id) = settings.Target;
        var answer = await api.SendAsync(HttpMethod.Post, $"{holder}/{id}/environmentVariable/import",
            new JsonObject { ["content"] = content, ["overwrite"] = settings.Overwrite }, cancellationToken);
        if (settings.Json)
        {
            Printer.Raw(Context, answer.Raw);
            return ExitCodes.Ok;
        }

        foreach (var part in (string[])["created", "updated", "skipped"])
        {
            var keys = answer.Body[part] is JsonArray list ? list.Select(k => k?.GetValue<string>()).ToList() : [];
            Context.Out.WriteLine($"{part}: {(keys.Count == 0 ? "none" : string.Join(", ", keys))}");
        }

        var errors = answer.Body["errors"] is JsonArray e ? e.OfType<JsonNode>().ToList() : [];
        foreach (var error in errors)
        {
            Context.Error.WriteLine($"line {Column.Read(error, "line")}: {Column.Read(error, "message")}");
        }

        return errors.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }
}

public class VariableSettings : CommandSettings
{
    [CommandOption("--app <ID>")]
    [Description("The application")]
    public Guid? App { get; init; }

    [CommandOption("--secret")]
    [Description("A secret: write-only, its value is never shown")]
    public bool Secret { get; init; }

    public override ValidationResult Validate() => Require.Ids((App, "--app"));
}

public sealed class VarSetSettings : VariableSettings
{
    [CommandArgument(0, "<KEY=VALUE>")]
    public string Assignment { get; init; } = "";

    public string Key => Assignment[..Assignment.IndexOf('=', StringComparison.Ordinal)];

    public string Value => Assignment[(Assignment.IndexOf('=', StringComparison.Ordinal) + 1)..];

    public override ValidationResult Validate() =>
        Assignment.IndexOf('=', StringComparison.Ordinal) < 1 ? ValidationResult.Error("Write the variable as KEY=VALUE.") : base.Validate();
}

public sealed class VarUnsetSettings : VariableSettings
{
    [CommandArgument(0, "<KEY>")]
    public string Key { get; init; } = "";
}

/// <summary>The application's own variable or secret of a key (not one it inherits), found by listing them.</summary>
internal static class ApplicationVariables
{
    public static string Kind(bool secret) => secret ? "secret" : "environmentVariable";

    public static async Task<JsonNode?> FindOwnAsync(PlatformApi api, Guid applicationId, string key, bool secret, CancellationToken cancellationToken) =>
        (await api.GetAsync($"application/{applicationId}/{Kind(secret)}", cancellationToken)).Results
            .FirstOrDefault(v => Column.Read(v, "key") == key && Column.Read(v, "scope") == "APPLICATION");
}

/// <summary>Sets a variable (or secret) on the application: changes its own one of that key, or creates it.</summary>
public sealed class VarSetCommand(CliContext context) : ApiCommand<VarSetSettings>(context)
{
    protected override async Task<int> RunAsync(PlatformApi api, VarSetSettings settings, CancellationToken cancellationToken)
    {
        var kind = ApplicationVariables.Kind(settings.Secret);
        var existing = await ApplicationVariables.FindOwnAsync(api, settings.App!.Value, settings.Key, settings.Secret, cancellationToken);
        if (existing is null)
        {
            await api.SendAsync(HttpMethod.Post, $"application/{settings.App}/{kind}", new JsonObject { ["key"] = settings.Key, ["value"] = settings.Value }, cancellationToken);
        }
        else
        {
            await api.SendAsync(HttpMethod.Put, $"{kind}/{Column.Read(existing, "id")}", new JsonObject { ["value"] = settings.Value }, cancellationToken);
        }

        Context.Out.WriteLine($"{(existing is null ? "Set" : "Changed")} {(settings.Secret ? "secret" : "variable")} {settings.Key}; deploy or restart the application to apply it.");
        return ExitCodes.Ok;
    }
}

/// <summary>Deletes the application's own variable (or secret) of that key.</summary>
public sealed class VarUnsetCommand(CliContext context) : ApiCommand<VarUnsetSettings>(context)
{
    protected override async Task<int> RunAsync(PlatformApi api, VarUnsetSettings settings, CancellationToken cancellationToken)
    {
        var existing = await ApplicationVariables.FindOwnAsync(api, settings.App!.Value, settings.Key, settings.Secret, cancellationToken)
            ?? throw new CliException($"The application has no {(settings.Secret ? "secret" : "variable")} {settings.Key} of its own.");
        await api.SendAsync(HttpMethod.Delete, $"{ApplicationVariables.Kind(settings.Secret)}/{Column.Read(existing, "id")}", null, cancellationToken);
        Context.Out.WriteLine($"Unset {settings.Key}.");
        return ExitCodes.Ok;
    }
}
