using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Domain.Applications;
using Platform.Domain.Runtime;
using Platform.Portal.Runtime;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Runtime.Contract;

/// <summary>
/// One real portal for the class (restarted by the restart's test), whose local runtime is the subject, and the
/// repository the suite fetches: the sample application at v1, then v2.
/// </summary>
public sealed class LocalRuntimeSubject : IAsyncLifetime
{
    /// <summary>No request is on its way to an old instance in these tests: it stops as soon as traffic has moved.</summary>
    private static readonly Dictionary<string, string?> Settings = new() { ["Runtime:DrainSeconds"] = "0" };

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"platform-test-data-{Guid.NewGuid():N}");
    private string _connectionString = null!;
    private TestGitRepository _git = null!;

    public PortalFactory Portal { get; private set; } = null!;

    public LocalRuntime Runtime => Portal.Services.GetRequiredService<LocalRuntime>();

    public ContractRepository Repository { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync();
        Portal = await StartAsync();
        _git = await TestGitRepository.CreateAsync(SampleApp.Files("v1"), RuntimeContract.FirstMessage);
        var head = await _git.CommitAsync(SampleApp.Files("v2"), RuntimeContract.HeadMessage);
        Repository = new ContractRepository(new GitSource(_git.Url, "main", "/"), _git.Commits[0], head, SampleApp.StartCommand);
    }

    /// <summary>The portal stops, which stops its runtime's instances, and a new one starts on the same database and data folder.</summary>
    public async Task RestartAsync()
    {
        await ((IAsyncLifetime)Portal).DisposeAsync();
        Portal = await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)Portal).DisposeAsync();
        _git.Dispose();
        TestPostgres.DeleteQuietly(_dataDirectory);
    }

    private async Task<PortalFactory> StartAsync()
    {
        var portal = PortalFactory.On(_connectionString, _dataDirectory, Settings);
        await portal.InitializeAsync();
        return portal;
    }
}

/// <summary>The runtime contract against the local runtime of a real portal: sandboxed processes, the router, PostgreSQL.</summary>
public sealed class LocalRuntimeContractTests(LocalRuntimeSubject subject) : RuntimeContract, IClassFixture<LocalRuntimeSubject>
{
    /// <summary>SIGKILL's bit in /proc/{pid}/status's pending signal masks.</summary>
    private const ulong KillSignal = 1UL << 8;

    protected override IRuntime Runtime => subject.Runtime;

    protected override Task<ContractRepository> RepositoryAsync() => Task.FromResult(subject.Repository);

    protected override async Task<SampleAnswer?> CallAsync(Guid applicationId)
    {
        var (status, body) = await RuntimeSteps.CallAsync(Runtime.UrlOf(applicationId, ApplicationName));
        return status == 200 && JsonNode.Parse(body) is { } answer ? new SampleAnswer(answer.Version(), answer["greeting"]?.GetValue<string>()) : null;
    }

    protected override async Task<bool?> AsksItsDatabaseAsync(Guid applicationId) =>
        (await RuntimeSteps.CallAsync(Runtime.UrlOf(applicationId, ApplicationName), "db")).Status switch
        {
            200 => true,
            500 => false,
            _ => null,
        };

    /// <summary>
    /// The releases that have a process on this host, by the variables every release of the suite carries: whatever
    /// the runtime's own records say, a process left over would show here. One the kernel is taking down (a zombie, or
    /// SIGKILL pending) no longer counts.
    /// </summary>
    protected override Task<IReadOnlySet<Guid>> RunningReleasesAsync(Guid applicationId)
    {
        var application = $"{ApplicationVariable}={applicationId:N}";
        var releases = new HashSet<Guid>();
        foreach (var folder in Directory.EnumerateDirectories("/proc").Where(f => int.TryParse(Path.GetFileName(f), CultureInfo.InvariantCulture, out _)))
        {
            try
            {
                var variables = File.ReadAllText(Path.Combine(folder, "environ")).Split('\0');
                if (variables.Contains(application, StringComparer.Ordinal)
                    && variables.FirstOrDefault(v => v.StartsWith($"{ReleaseVariable}=", StringComparison.Ordinal)) is { } release && !Ending(folder))
                {
                    releases.Add(Guid.ParseExact(release[(ReleaseVariable.Length + 1)..], "N"));
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }

        return Task.FromResult<IReadOnlySet<Guid>>(releases);
    }

    protected override async Task<bool> AcceptsConnectionsAsync(DatabaseOrder order)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(subject.Portal.ConnectionString)
        {
            Username = order.ServerName,
            Password = order.Password,
            Database = order.ServerName,
            Pooling = false,
            Timeout = 10,
        }.ConnectionString;
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (PostgresException)
        {
            return false;
        }
    }

    protected override Task RestartAsync() => subject.RestartAsync();

    private static bool Ending(string folder)
    {
        foreach (var line in File.ReadAllLines(Path.Combine(folder, "status")))
        {
            var (name, value) = (line.Split(':', 2)[0], line.Split(':', 2).ElementAtOrDefault(1)?.Trim() ?? "");
            if ((name == "State" && value.Length > 0 && value[0] is 'Z' or 'X')
                || (name is "SigPnd" or "ShdPnd" && (ulong.Parse(value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) & KillSignal) != 0))
            {
                return true;
            }
        }

        return false;
    }
}
