using System.Text.RegularExpressions;

namespace Platform.Domain.Logs;

/// <summary>What a known failure in a log line means for people, and what to try (both Markdown).</summary>
public sealed record Explanation(string Rule, string MessageHumanExplanation, string Hint);

/// <summary>
/// Turns log lines that match known failures (from Java, .NET, Node, Python, Go, git and the runtime itself) into an
/// explanation and a hint. Rules are tried in order; the first match wins. Matching is bounded (a timeout per
/// expression), so a hostile line cannot stall the reader.
/// </summary>
public static class LogExplainer
{
    private sealed record Rule(string Name, Regex Pattern, string Explanation, string Hint);

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(50);

    private static Rule R(string name, string pattern, string explanation, string hint) =>
        new(name, new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout), explanation, hint);

    private static readonly Rule[] Rules =
    [
        // The runtime's own messages.
        R("runtime-oom", @"over its memory request of \d+ MB.*killed|\bOOM_?KILLED\b|exit(ed)? (with )?code 137\b",
            "The instance used more memory than its **memory request** and was killed (exit code 137 is the signal the kernel or the runtime sends).",
            "Raise `memory` in the application's settings, or find what grows: a cache without a bound, a leak, a JVM heap set above the request (`-Xmx`)."),
        R("runtime-readiness", @"did not pass its readiness probe",
            "The instance started but never answered its **readiness probe**, so it got no traffic and the deployment was stopped.",
            "Check that the application listens on `$PORT` (not a fixed port) and on `0.0.0.0`, and that the probe's path answers 2xx; raise `initial_delay_seconds` if it starts slowly."),
        R("runtime-exit-before-ready", @"exited with code \d+ before it was ready",
            "The process ended right after it started, before it could serve.",
            "Read the lines just above for the cause. Check the **start command** and that the build produced what it runs."),
        R("runtime-liveness", @"failed its liveness probe",
            "The instance stopped answering its **liveness probe**, so it was restarted.",
            "Look for a deadlock or a blocked event loop; make the liveness check cheap, or raise its `timeout_seconds` and `failure_threshold`."),
        R("runtime-build-exit", @"build command exited with code (\d+)",
            "The **build command** failed, so nothing new was started; the previous version keeps serving.",
            "Run the build command locally from the repository's root path and read the first error above this line."),
        R("runtime-root-path", @"root path .* does not exist",
            "The application's **root path** is not a folder of this commit.",
            "Fix `git_repository.root_path` (it starts at `/`, the repository's top) or deploy a commit that has the folder."),
        R("git-branch-missing", @"branch .* does not exist in|couldn't find remote ref|Remote branch .* not found",
            "The **branch** the application deploys does not exist in the repository.",
            "Check `git_repository.branch` (for example `main` or `master`) and that it was pushed."),
        R("git-unreachable", @"could not be fetched|Could not read from remote repository|does not appear to be a git repository|Could not resolve host|Connection refused.*git|repository .* not found",
            "The **repository** could not be reached or read.",
            "Check `git_repository.url`: a local path or `file://` URL must exist on the portal's host; a remote one must be reachable and readable without a password prompt."),
        R("git-commit-missing", @"commit [0-9a-f]+ does not exist",
            "The **commit** asked for is not in the repository.",
            "Copy the full hash from `git log`, and make sure it was pushed to the repository the application uses."),
        // Network and ports.
        R("port-in-use", @"EADDRINUSE|address already in use|Only one usage of each socket address|bind\(\): Address already in use|port .* is already (in use|allocated)",
            "The application tried to listen on a **port that is already taken**.",
            "Listen on the port in `$PORT`, which the runtime gives each instance: `process.env.PORT`, `os.environ[\"PORT\"]`, `server.port=${PORT}`."),
        R("permission-denied", @"EACCES|Permission denied|PermissionError|UnauthorizedAccessException|Access to the path .* is denied",
            "The process was **not allowed** to read, write or run something.",
            "Instances run as an unprivileged user: write only inside the application's folder or `/tmp`, listen on a port above 1024, and make scripts executable (`chmod +x`) in the repository."),
        R("connection-refused", @"ECONNREFUSED|Connection refused|could not connect to server|No connection could be made",
            "The application could not **connect** to a service it needs (a database, an API).",
            "Use the `DATABASE_<NAME>_HOST`/`_PORT` or `_URL` variables the platform provides, and deploy the database before the application."),
        R("database-auth", @"password authentication failed|FATAL:\s+role .* does not exist|no pg_hba.conf entry",
            "The **database refused the credentials** the application sent.",
            "Use `DATABASE_<NAME>_URL` (or its USER and PASSWORD variables) as provided; redeploy the database if it was recreated."),
        // Java.
        R("java-class-not-found", @"ClassNotFoundException|NoClassDefFoundError|Could not find or load main class",
            "The **Java class** to run could not be found on the classpath.",
            "Check the start command's main class or jar (`java -jar target/app.jar`) and that the build packaged it (`mvn package`, `gradle build`)."),
        R("java-heap", @"java\.lang\.OutOfMemoryError",
            "The **JVM ran out of heap**.",
            "Set `-Xmx` below the application's memory request (about 75 % of it), or raise `memory`."),
        R("java-unsupported-version", @"UnsupportedClassVersionError|has been compiled by a more recent version of the Java Runtime",
            "The code was compiled for a **newer Java** than the one that runs it.",
            "Build for the runtime's Java version (`--release 17`) or run it with the Java it was built for."),
        // .NET.
        R("dotnet-missing-framework", @"You must install or update \.NET to run this application|The framework 'Microsoft\.\w+(\.\w+)*', version '[^']+' .* was not found",
            "The **.NET runtime** version the application targets is not installed here.",
            "Target the installed version (`<TargetFramework>`), or publish self-contained (`dotnet publish --self-contained`)."),
        R("dotnet-missing-assembly", @"Could not load file or assembly|FileNotFoundException: Could not load",
            "A **.NET assembly** the application needs is missing.",
            "Start what `dotnet publish` produced, and check that the build copied every dependency."),
        R("dotnet-unhandled", @"Unhandled exception\. System\.",
            "The .NET application stopped on an **unhandled exception**.",
            "Read the exception type and the first line of its stack trace above; it names the file and line."),
        // Node.
        R("node-module-not-found", @"Cannot find module|ERR_MODULE_NOT_FOUND|MODULE_NOT_FOUND",
            "A **Node.js module** could not be found.",
            "Add it to `dependencies` in `package.json` (not only `devDependencies`) and install in the build command: `npm ci`."),
        R("npm-missing-script", @"npm (ERR!|error) Missing script|Missing script: ",
            "**npm** was asked to run a script that `package.json` does not define.",
            "Add the script under `scripts` in `package.json`, or change the start or build command (for example `node server.js`)."),
        R("node-heap", @"JavaScript heap out of memory|FATAL ERROR: .*Allocation failed",
            "**Node.js ran out of heap**.",
            "Raise `memory`, or set `NODE_OPTIONS=--max-old-space-size=<MB>` below the request."),
        R("npm-not-found", @"npm: (command )?not found|node: (command )?not found",
            "**Node.js or npm** is not installed on the runtime's host.",
            "Install Node.js on the host, or start the application with a runtime that is installed."),
        R("missing-environment-variable", @"KeyError: '[A-Z][A-Z0-9_]*'|environment variable .*(is not set|not set|is missing|missing|is required|required|undefined)|Missing required env(ironment)? var|Required configuration value .* (is )?missing",
            "The application reads an **environment variable** that is not set.",
            "Add it under Variables (or Secrets) at the scope it belongs to, then restart the application: variables reach a process when it starts."),
        // Python.
        R("python-module-not-found", @"ModuleNotFoundError: No module named|ImportError: No module named|ImportError: cannot import name",
            "A **Python module** could not be imported.",
            "List it in `requirements.txt` and install it in the build command (`pip install -r requirements.txt --target .deps` and `PYTHONPATH=.deps`), or fix the import."),
        R("python-syntax", @"SyntaxError: |IndentationError: ",
            "The **Python code does not parse**.",
            "Fix the file and line named above; check the Python version the code expects."),
        R("python-traceback", @"^Traceback \(most recent call last\)",
            "The Python application stopped on an **uncaught exception**; the traceback follows.",
            "The last line of the traceback names the error; the line above it is where it happened."),
        // Go.
        R("go-panic", @"^panic: |goroutine \d+ \[running\]",
            "The **Go program panicked**.",
            "Read the panic message and the first frame of the goroutine's stack that is in your code."),
        R("go-build", @"cannot find package|no required module provides package|go: command not found",
            "The **Go build** could not find a package or the Go tool.",
            "Run `go mod tidy` and commit `go.mod` and `go.sum`; install Go on the host if `go` is missing."),
        // Shell and files.
        R("command-not-found", @"(sh|bash)(: \d+)?: .*: (command )?not found|exec: .*: not found|No such file or directory.*exec|executable file not found",
            "The **command** to run does not exist on the host, or the path to it is wrong.",
            "Check the start or build command; tools must be installed on the host and on the `PATH` (`/usr/local/bin:/usr/bin:/bin`)."),
        R("file-not-found", @"ENOENT|No such file or directory|FileNotFoundError",
            "A **file or folder** the process needs does not exist.",
            "Paths are relative to the root path of the repository; check that the build created the file and that it is not ignored by git."),
        R("disk-full", @"No space left on device|ENOSPC",
            "The host's **disk is full**.",
            "Free space on the host (old builds are pruned per application), or write less to disk."),
    ];

    public static int RuleCount => Rules.Length;

    /// <summary>The explanation of a line, or null when no rule knows it.</summary>
    public static Explanation? Explain(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return null;
        }

        foreach (var rule in Rules)
        {
            try
            {
                if (rule.Pattern.IsMatch(message))
                {
                    return new Explanation(rule.Name, rule.Explanation, rule.Hint);
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // Too costly to tell: not this rule.
            }
        }

        return null;
    }
}
