using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Npgsql;
using NpgsqlTypes;
using Platform.Benchmarks.Harness;

namespace Platform.Benchmarks.Seeding;

/// <summary>One seeded environment with what it holds: its organization, project and (single) application.</summary>
internal sealed record SeededEnvironment(Guid OrganizationId, Guid ProjectId, Guid EnvironmentId, Guid ApplicationId, string Mode);

/// <summary>
/// The catalogue the benchmarks read: organizations (all owned by <c>run.Owner</c>, with a few other members), projects,
/// environments of mixed modes, one application each with variables and secrets at every scope, some databases. The
/// "hot" organization holds the hot project of exactly 20 environments; its first environment holds the hot application
/// (a real git repository, so it can be deployed) and no database.
/// </summary>
internal sealed record CatalogueSeed(
    Guid HotOrganizationId,
    Guid HotProjectId,
    Guid HotEnvironmentId,
    Guid HotApplicationId,
    string HotRepository,
    IReadOnlyList<Guid> MemberUserIds,
    IReadOnlyList<SeededEnvironment> Environments);

internal static class CatalogueSeeding
{
    public const int HotProjectEnvironments = 20;

    private static readonly string[] Modes = ["DEVELOPMENT", "STAGING", "PRODUCTION", "PREVIEW"];

    /// <summary>
    /// Everything through the public API (the portal writes every row, events included), many requests at a time;
    /// only the extra members' rows go straight into organization_member (inviting and accepting 150 times would
    /// measure the mail outbox). Full: 50 organizations × 20 environments = 1,000; quick: 5 × 20 = 100.
    /// </summary>
    public static async Task<CatalogueSeed> SeedAsync(BenchRun run, ReportSection section, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var organizations = run.Options.Pick(50, 5);
        var repository = await HotRepositoryAsync(run);
        var api = run.Owner;
        var members = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            members.Add(await RegisterAsync(run, $"member{i}.{Guid.NewGuid():N}@example.com"));
        }

        using var gate = new SemaphoreSlim(24);
        async Task<T> Limited<T>(Func<Task<T>> call)
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                return await call();
            }
            finally
            {
                gate.Release();
            }
        }

        var databases = 0;
        var all = new List<SeededEnvironment>();
        var orgTasks = Enumerable.Range(0, organizations).Select(async o =>
        {
            var organization = await Limited(() => api.CreateAsync("/api/organization", new { name = $"org-{o:00}" }));
            await Limited(() => ImportAsync(api, $"/api/organization/{organization}", $"LOG_LEVEL=info\nREGION=eu-west-{o % 3}\n"));
            await Limited(() => api.CreateAsync($"/api/organization/{organization}/secret", new { key = "SENTRY_DSN", value = $"https://key{o}@sentry.example.com/{o}" }));
            // The hot organization: one project of exactly 20 environments; the others: two projects of ten.
            var shape = o == 0 ? new[] { HotProjectEnvironments } : [10, 10];
            var environments = new List<SeededEnvironment>();
            for (var p = 0; p < shape.Length; p++)
            {
                var project = await Limited(() => api.CreateAsync($"/api/organization/{organization}/project", new { name = o == 0 ? "hot" : $"project-{p}" }));
                await Limited(() => ImportAsync(api, $"/api/project/{project}", $"FEATURE_FLAGS=search,checkout\nCACHE_TTL={60 * (p + 1)}\n"));
                var envTasks = Enumerable.Range(0, shape[p]).Select(async e =>
                {
                    var hot = o == 0 && e == 0;
                    var mode = Modes[(o + e) % Modes.Length];
                    var environment = await Limited(() => api.CreateAsync($"/api/project/{project}/environment", new { name = $"env-{e:00}", mode }));
                    await Limited(() => ImportAsync(api, $"/api/environment/{environment}", $"ENVIRONMENT_LABEL={mode.ToLowerInvariant()}-{e}\nWORKERS={1 + e % 4}\n"));
                    var application = await Limited(() => api.CreateAsync($"/api/environment/{environment}/application", new
                    {
                        name = hot ? "hello" : $"app-{e:00}",
                        git_repository = new { url = hot ? repository : $"/srv/git/org{o}/app{e}.git", branch = "main" },
                        start_command = hot ? "python3 app.py" : "npm start",
                        port = hot ? 8080 : 3000,
                        cpu = 0.25,
                        memory = 128,
                    }));
                    await Limited(() => ImportAsync(api, $"/api/application/{application}",
                        $"GREETING=Hello from env {e}\nNODE_ENV=production\nPAGE_SIZE=50\nTIMEOUT_MS=3000\nLOG_LEVEL=debug\nCACHE_TTL=30\n"));
                    await Limited(() => api.CreateAsync($"/api/application/{application}/secret", new { key = "API_KEY", value = $"sk_{Guid.NewGuid():N}", description = "Payment provider key" }));
                    if (!hot && e % 4 == 1)
                    {
                        await Limited(() => api.CreateAsync($"/api/environment/{environment}/database", new { name = "main" }));
                        Interlocked.Increment(ref databases);
                    }

                    return new SeededEnvironment(organization, project, environment, application, mode);
                });
                environments.AddRange(await Task.WhenAll(envTasks));
            }

            return environments;
        });
        foreach (var list in await Task.WhenAll(orgTasks))
        {
            all.AddRange(list);
        }

        await AddMembersAsync(run, all.Select(e => e.OrganizationId).Distinct().ToList(), members, cancellationToken);
        // The hot environment is the first of the hot project (the first organization's), which came back first.
        var hotEnvironment = all[0];
        var seed = new CatalogueSeed(hotEnvironment.OrganizationId, hotEnvironment.ProjectId, hotEnvironment.EnvironmentId, hotEnvironment.ApplicationId,
            repository, members, all);
        section.Paragraph(string.Create(CultureInfo.InvariantCulture,
            $"Catalogue: {organizations} organizations, {all.Select(e => e.ProjectId).Distinct().Count()} projects, {all.Count} environments " +
            $"({string.Join(", ", all.GroupBy(e => e.Mode).Select(g => $"{g.Count()} {g.Key.ToLowerInvariant()}"))}), {all.Count} applications " +
            $"with 12 variables and 2 secrets each at four scopes, {databases} databases, {members.Count} members besides the owner in every organization; " +
            $"the hot project has {HotProjectEnvironments} environments. Made through the API in {watch.Elapsed.TotalSeconds:0.0} s " +
            $"({run.Options.Pick("full size", "quick: 5 of the 50 organizations")})."));
        return seed;
    }

    private static async Task<Guid> ImportAsync(ApiSession api, string holder, string content)
    {
        var response = await api.Client.PostAsJsonAsync($"{holder}/environmentVariable/import", new { content });
        return response.IsSuccessStatusCode
            ? Guid.Empty
            : throw new InvalidOperationException($"Import into {holder} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<Guid> RegisterAsync(BenchRun run, string email)
    {
        var member = await ApiSession.CreateAsync(run.Portal, email);
        member.Client.Dispose();
        await using var connection = await run.OpenConnectionAsync();
        await using var find = new NpgsqlCommand("SELECT id FROM _user WHERE normalized_email = upper(@email)", connection);
        find.Parameters.AddWithValue("email", email);
        return (Guid)(await find.ExecuteScalarAsync())!;
    }

    /// <summary>organization_member rows as accepting an invitation writes them: a role, created and updated now.</summary>
    private static async Task AddMembersAsync(BenchRun run, List<Guid> organizations, List<Guid> members, CancellationToken cancellationToken)
    {
        string[] roles = ["Admin", "Developer", "Viewer"];
        await using var connection = await run.OpenConnectionAsync();
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY organization_member (organization_id, user_id, role, created_at, updated_at) FROM STDIN (FORMAT BINARY)", cancellationToken);
        var now = DateTime.UtcNow;
        foreach (var organization in organizations)
        {
            for (var i = 0; i < members.Count; i++)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(organization, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(members[i], NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(roles[i], NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
            }
        }

        await copy.CompleteAsync(cancellationToken);
    }

    /// <summary>A bare repository made from samples/hello-python, as run.sh makes the demo's: the hot application deploys it.</summary>
    public static async Task<string> HotRepositoryAsync(BenchRun run)
    {
        var folder = run.WorkFolder("hot-repository");
        var bare = Path.Combine(folder, "hello-python.git");
        if (Directory.Exists(bare))
        {
            return bare;
        }

        var work = Path.Combine(folder, "work");
        CopyFolder(Path.Combine(run.Options.Root, "samples", "hello-python"), work);
        await GitAsync(work, "init", "-q", "-b", "main");
        await GitAsync(work, "add", "-A");
        await GitAsync(work, "-c", "user.name=Platform", "-c", "user.email=platform@localhost", "commit", "-q", "-m", "Sample application");
        await GitAsync(folder, "clone", "-q", "--bare", work, bare);
        // Readable by the users the portal builds applications as.
        await GitAsync(folder, "config", "--file", Path.Combine(bare, "config"), "core.sharedRepository", "world");
        foreach (var path in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Append(folder))
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, Directory.Exists(path) ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100);
            }
        }

        return bare;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(from))
        {
            CopyFolder(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }

    private static async Task GitAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {await error}");
        }
    }
}
