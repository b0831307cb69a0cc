using Platform.Cli.Commands;
using Spectre.Console.Cli;

namespace Platform.Cli;

/// <summary>The entry point, for the process and for tests: parses, runs, and turns every failure into plain lines and an exit code.</summary>
public static class PlatformCli
{
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("platform");
            config.ConfigureConsole(context.Console);
            config.PropagateExceptions();
            config.Settings.Registrar.RegisterInstance(context);
            config.AddCommand<LoginCommand>("login").WithDescription("Log in with an email and password, or a token; kept in the user's config folder")
                .WithExample("login", "--url", "https://platform.example.com", "--email", "ada@example.com");
            config.AddCommand<LogoutCommand>("logout").WithDescription("Forget the stored login");
            config.AddBranch("org", org =>
            {
                org.SetDescription("Organizations");
                org.AddCommand<OrgListCommand>("list").WithDescription("Your organizations");
            });
            config.AddBranch("project", project =>
            {
                project.SetDescription("Projects");
                project.AddCommand<ProjectListCommand>("list").WithDescription("An organization's projects");
            });
            config.AddBranch("env", env =>
            {
                env.SetDescription("Environments, and .env imports");
                env.AddCommand<EnvListCommand>("list").WithDescription("A project's environments");
                env.AddCommand<EnvImportCommand>("import").WithDescription("Import a .env file into an application, environment, project or organization");
            });
            config.AddBranch("app", application =>
            {
                application.SetDescription("Applications");
                application.AddCommand<AppListCommand>("list").WithDescription("An environment's applications");
                application.AddCommand<AppCreateCommand>("create").WithDescription("Add an application deployed from git");
            });
            config.AddCommand<DeployCommand>("deploy").WithDescription("Deploy an application and follow it live until it ends");
            config.AddCommand<LogsCommand>("logs").WithDescription("An application's latest log lines; --follow for new ones as they come");
            config.AddCommand<StatusCommand>("status").WithDescription("An application's status");
            config.AddCommand<RollbackCommand>("rollback").WithDescription("Redeploy what a successful deployment left");
            config.AddCommand<AbortCommand>("abort").WithDescription("Abort a queued or running deployment");
            config.AddBranch("var", variable =>
            {
                variable.SetDescription("An application's variables and secrets");
                variable.AddCommand<VarSetCommand>("set").WithDescription("Set an application's variable or secret");
                variable.AddCommand<VarUnsetCommand>("unset").WithDescription("Delete an application's variable or secret");
            });
        });

        try
        {
            return await app.RunAsync(args, cancellationToken);
        }
        catch (CommandAppException exception)
        {
            // Spectre names a nullable id "Nullable`1": say what is expected instead.
            var message = exception.Message.Replace("Nullable`1", "an id (a GUID)", StringComparison.Ordinal);
            await context.Error.WriteLineAsync($"Usage: {message} (platform --help lists the commands)");
            return ExitCodes.Usage;
        }
        catch (CliException exception)
        {
            foreach (var line in exception.Lines)
            {
                await context.Error.WriteLineAsync(line);
            }

            return exception.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
#pragma warning disable CA1031 // The client's one top-level handler: whatever went wrong, one plain line and never a stack trace.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            await context.Error.WriteLineAsync($"Error: {exception.Message}");
            return ExitCodes.Failed;
        }
    }
}
