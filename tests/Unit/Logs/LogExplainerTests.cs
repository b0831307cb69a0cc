using Platform.Domain.Logs;

namespace Platform.Tests.Logs;

/// <summary>Each explainer rule against a line as the real tool prints it.</summary>
public sealed class LogExplainerTests
{
    public static TheoryData<string, string> KnownFailures => new()
    {
        { "Instance 4b6e9d-1 used 212 MB, over its memory request of 64 MB, and was killed (out of memory). Restarting it in 1 s (restart 1).", "runtime-oom" },
        { "Instance 4b6e9d-1 exited with code 137.", "runtime-oom" },
        { "Instance 4b6e9d-1 did not pass its readiness probe (HTTP GET /health on port 40057) within 20 s. Does it listen on the port in $PORT?", "runtime-readiness" },
        { "Instance 4b6e9d-1 exited with code 1 before it was ready. Its log shows why; check the start command.", "runtime-exit-before-ready" },
        { "Instance 4b6e9d-1 failed its liveness probe (a TCP connection to port 40057) 3 times.", "runtime-liveness" },
        { "The build command exited with code 2.", "runtime-build-exit" },
        { "The root path /api does not exist in this commit.", "runtime-root-path" },
        { "The branch develop does not exist in /srv/git/web.git.", "git-branch-missing" },
        { "fatal: couldn't find remote ref refs/heads/develop", "git-branch-missing" },
        { "The repository /srv/git/missing.git could not be fetched: fatal: '/srv/git/missing.git' does not appear to be a git repository.", "git-unreachable" },
        { "fatal: Could not read from remote repository.", "git-unreachable" },
        { "The commit 3f2a9c1 does not exist in /srv/git/web.git.", "git-commit-missing" },
        { "Error: listen EADDRINUSE: address already in use :::8080", "port-in-use" },
        { "OSError: [Errno 98] Address already in use", "port-in-use" },
        { "Failed to bind to address http://0.0.0.0:8080: address already in use.", "port-in-use" },
        { "Error: listen EACCES: permission denied 0.0.0.0:80", "permission-denied" },
        { "PermissionError: [Errno 13] Permission denied: '/var/log/app.log'", "permission-denied" },
        { "Error: connect ECONNREFUSED 127.0.0.1:5432", "connection-refused" },
        { "psql: error: connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  password authentication failed for user \"db_x\"", "database-auth" },
        { "Error: Could not find or load main class com.example.Application", "java-class-not-found" },
        { "Exception in thread \"main\" java.lang.NoClassDefFoundError: org/slf4j/LoggerFactory", "java-class-not-found" },
        { "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space", "java-heap" },
        { "java.lang.UnsupportedClassVersionError: com/example/App has been compiled by a more recent version of the Java Runtime (class file version 65.0)", "java-unsupported-version" },
        { "You must install or update .NET to run this application.", "dotnet-missing-framework" },
        { "Unhandled exception. System.IO.FileNotFoundException: Could not load file or assembly 'Newtonsoft.Json, Version=13.0.0.0'", "dotnet-missing-assembly" },
        { "Unhandled exception. System.InvalidOperationException: Unable to resolve service for type 'IClock'", "dotnet-unhandled" },
        { "Error: Cannot find module 'express'", "node-module-not-found" },
        { "npm ERR! Missing script: \"start\"", "npm-missing-script" },
        { "npm error Missing script: \"build\"", "npm-missing-script" },
        { "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory", "node-heap" },
        { "sh: 1: npm: not found", "npm-not-found" },
        { "KeyError: 'DATABASE_URL'", "missing-environment-variable" },
        { "Error: environment variable STRIPE_KEY is required", "missing-environment-variable" },
        { "ModuleNotFoundError: No module named 'flask'", "python-module-not-found" },
        { "  File \"app.py\", line 3\nSyntaxError: invalid syntax", "python-syntax" },
        { "Traceback (most recent call last):", "python-traceback" },
        { "panic: runtime error: invalid memory address or nil pointer dereference", "go-panic" },
        { "main.go:5:2: no required module provides package github.com/gin-gonic/gin; to add it:", "go-build" },
        { "sh: 1: gunicorn: not found", "command-not-found" },
        { "Error: ENOENT: no such file or directory, open '/app/config.json'", "file-not-found" },
        { "write /tmp/cache: no space left on device", "disk-full" },
    };

    [Theory]
    [MemberData(nameof(KnownFailures))]
    public void Explain_AKnownFailure_NamesItsRuleWithAnExplanationAndAHint(string line, string rule)
    {
        var explanation = LogExplainer.Explain(line);

        Assert.NotNull(explanation);
        Assert.Equal(rule, explanation.Rule);
        Assert.False(string.IsNullOrWhiteSpace(explanation.MessageHumanExplanation));
        Assert.False(string.IsNullOrWhiteSpace(explanation.Hint));
    }

    [Theory]
    [InlineData("hello-python listening on port 40057")]
    [InlineData("127.0.0.1 \"GET / HTTP/1.1\" 200 -")]
    [InlineData("")]
    public void Explain_AnOrdinaryLine_IsNull(string line) => Assert.Null(LogExplainer.Explain(line));

    [Fact]
    public void Rules_AreAtLeastTwenty_AndEachIsExercisedAbove()
    {
        var exercised = KnownFailures.Select(row => (string)row[1]).ToHashSet();

        Assert.True(LogExplainer.RuleCount >= 20);
        Assert.Equal(LogExplainer.RuleCount, exercised.Count);
    }
}
