using System.Globalization;
using System.Security.Cryptography;
using Platform.Domain.Applications;
using Platform.Domain.Runtime;

namespace Platform.Tests.Runtime.Contract;

/// <summary>
/// A repository a subject made for the suite: its branch main holds the sample application at version v1 in its first
/// commit (<see cref="RuntimeContract.FirstMessage"/>), then at v2 in its head (<see cref="RuntimeContract.HeadMessage"/>).
/// </summary>
public sealed record ContractRepository(GitSource Source, string FirstCommit, string HeadCommit, string StartCommand);

/// <summary>What the sample application answers: its version, and the value of its GREETING variable.</summary>
public sealed record SampleAnswer(string Version, string? Greeting);

/// <summary>
/// The promises of <see cref="IRuntime"/> (written in its comments) as tests that every implementation passes: the
/// local runtime (<c>LocalRuntimeContractTests</c>) and the in-memory fake that the engine's rules are tested
/// on (<c>FakeRuntimeContractTests</c>). The tests speak to the interface alone, and ask of their subject only
/// what a test needs around it: a repository to fetch, the live release's answer at the address the runtime gives it,
/// whether that release reaches its database, which releases still run, whether a database takes connections, and a
/// restart.
/// </summary>
public abstract class RuntimeContract : IAsyncLifetime
{
    public const string FirstMessage = "First version";
    public const string HeadMessage = "Second version";

    /// <summary>
    /// Every release the suite starts carries its application and deployment among its variables, as the engine's
    /// carry PLATFORM_APPLICATION_ID: a subject may tell the processes of a release by them.
    /// </summary>
    public const string ApplicationVariable = "CONTRACT_APPLICATION";

    public const string ReleaseVariable = "CONTRACT_RELEASE";

    /// <summary>Commands as the suite gives them; a runtime runs them in a shell, the fake reads them the same way.</summary>
    private const string FailingCommand = "exit 3";

    private const string SlowCommand = "sleep 60";

    /// <summary>The name the suite gives its applications, in <see cref="IRuntime.UrlOf"/> and their settings.</summary>
    protected const string ApplicationName = "contract";

    private const string UnknownCommit = "0123456789abcdef0123456789abcdef01234567";

    /// <summary>How long after a slow step began the suite cancels it: long enough for a runtime to have its process running.</summary>
    private static readonly TimeSpan CancelAfter = TimeSpan.FromSeconds(1);

    private readonly List<Guid> _applications = [];
    private readonly List<DatabaseOrder> _databases = [];

    /// <summary>The runtime under test (after <see cref="RestartAsync"/>, the new one).</summary>
    protected abstract IRuntime Runtime { get; }

    protected abstract Task<ContractRepository> RepositoryAsync();

    /// <summary>What the application's live release answers at the runtime's address for it; null when nothing answers there.</summary>
    protected abstract Task<SampleAnswer?> CallAsync(Guid applicationId);

    /// <summary>Whether the live release, asked to, queries its database (DATABASE_MAIN_URL) successfully; null when nothing answers.</summary>
    protected abstract Task<bool?> AsksItsDatabaseAsync(Guid applicationId);

    /// <summary>The deployments whose instances run now, live or not, as the subject tells (its processes, its records).</summary>
    protected abstract Task<IReadOnlySet<Guid>> RunningReleasesAsync(Guid applicationId);

    /// <summary>Whether the database's role can open a connection to it now.</summary>
    protected abstract Task<bool> AcceptsConnectionsAsync(DatabaseOrder order);

    /// <summary>Stops the runtime as a stop of the portal does, and starts a new one over what it keeps (disk, database server).</summary>
    protected abstract Task RestartAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var application in _applications)
        {
            await Runtime.DeleteApplicationAsync(application, CancellationToken.None);
        }

        foreach (var database in _databases)
        {
            await Runtime.DeleteDatabaseAsync(database, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Fetch_WithoutACommit_AnswersTheBranchHead()
    {
        var repository = await RepositoryAsync();

        var fetched = await Runtime.FetchAsync(FetchOrder(NewApplication(), repository.Source), CancellationToken.None);

        Assert.Equal((repository.HeadCommit, HeadMessage), (fetched.Commit.LongId, fetched.Commit.Message));
        Assert.StartsWith(fetched.Commit.ShortId, repository.HeadCommit, StringComparison.Ordinal);
        Assert.NotEmpty(fetched.Commit.ShortId);
    }

    [Fact]
    public async Task BranchHead_AnswersTheNewestCommitOfTheBranch()
    {
        var repository = await RepositoryAsync();

        var head = await Runtime.BranchHeadAsync(NewApplication(), repository.Source, null, CancellationToken.None);

        Assert.Equal(repository.HeadCommit, head);
    }

    [Fact]
    public async Task BranchHead_OfAnUnknownBranch_ThrowsRuntimeFailureNamingIt()
    {
        var repository = await RepositoryAsync();

        var failure = await Assert.ThrowsAsync<RuntimeFailureException>(() =>
            Runtime.BranchHeadAsync(NewApplication(), repository.Source with { Branch = "no-such-branch" }, null, CancellationToken.None));

        Assert.Contains("no-such-branch", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BranchHead_OfARepositoryThatIsNotThere_ThrowsRuntimeFailureSayingItCouldNotBeReached()
    {
        var missing = new GitSource($"/nonexistent/contract-{Guid.NewGuid():N}.git", "main", "/");

        var failure = await Assert.ThrowsAsync<RuntimeFailureException>(() => Runtime.BranchHeadAsync(NewApplication(), missing, null, CancellationToken.None));

        Assert.Contains("could not be reached", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_AtAGivenCommit_AnswersThatCommit_AlsoWhenAbbreviated()
    {
        var repository = await RepositoryAsync();
        var application = NewApplication();

        var full = await Runtime.FetchAsync(FetchOrder(application, repository.Source, repository.FirstCommit), CancellationToken.None);
        var abbreviated = await Runtime.FetchAsync(FetchOrder(application, repository.Source, repository.FirstCommit[..7]), CancellationToken.None);

        Assert.Equal((repository.FirstCommit, FirstMessage), (full.Commit.LongId, full.Commit.Message));
        Assert.Equal(repository.FirstCommit, abbreviated.Commit.LongId);
        Assert.NotEqual(full.BuildId, abbreviated.BuildId);
    }

    [Fact]
    public async Task Fetch_OfAnUnknownBranch_ThrowsRuntimeFailure()
    {
        var repository = await RepositoryAsync();

        await Assert.ThrowsAsync<RuntimeFailureException>(() =>
            Runtime.FetchAsync(FetchOrder(NewApplication(), repository.Source with { Branch = "no-such-branch" }), CancellationToken.None));
    }

    [Fact]
    public async Task Fetch_OfAnUnknownCommit_ThrowsRuntimeFailure()
    {
        var repository = await RepositoryAsync();

        await Assert.ThrowsAsync<RuntimeFailureException>(() =>
            Runtime.FetchAsync(FetchOrder(NewApplication(), repository.Source, UnknownCommit), CancellationToken.None));
    }

    [Fact]
    public async Task Fetch_OfAMissingRepository_ThrowsRuntimeFailure()
    {
        var repository = await RepositoryAsync();

        await Assert.ThrowsAsync<RuntimeFailureException>(() =>
            Runtime.FetchAsync(FetchOrder(NewApplication(), repository.Source with { Url = repository.Source.Url + "-missing" }), CancellationToken.None));
    }

    [Fact]
    public async Task HasBuild_AfterAFetch_IsTrue()
    {
        var repository = await RepositoryAsync();

        var fetched = await Runtime.FetchAsync(FetchOrder(NewApplication(), repository.Source), CancellationToken.None);

        Assert.True(await Runtime.HasBuildAsync(fetched.BuildId, CancellationToken.None));
    }

    [Fact]
    public async Task HasBuild_OfABuildItNeverMade_IsFalse()
    {
        Assert.False(await Runtime.HasBuildAsync("no-such-build", CancellationToken.None));
    }

    [Fact]
    public async Task Build_WhoseCommandFails_ThrowsRuntimeFailure()
    {
        var application = NewApplication();
        var fetched = await FetchAsync(application, (await RepositoryAsync()).HeadCommit);

        await Assert.ThrowsAsync<RuntimeFailureException>(() => Runtime.BuildAsync(BuildOrder(application, fetched, FailingCommand), CancellationToken.None));
    }

    [Fact]
    public async Task Build_WhoseCommandSucceeds_Returns()
    {
        var application = NewApplication();
        var fetched = await FetchAsync(application, (await RepositoryAsync()).HeadCommit);

        await Runtime.BuildAsync(BuildOrder(application, fetched, "true"), CancellationToken.None);

        Assert.True(await Runtime.HasBuildAsync(fetched.BuildId, CancellationToken.None));
    }

    [Fact]
    public async Task Build_WithoutACommand_IsDone()
    {
        var application = NewApplication();
        var fetched = await FetchAsync(application, (await RepositoryAsync()).HeadCommit);

        await Runtime.BuildAsync(BuildOrder(application, fetched, command: null), CancellationToken.None);

        Assert.True(await Runtime.HasBuildAsync(fetched.BuildId, CancellationToken.None));
    }

    [Fact]
    public async Task Build_WhenCancelled_ThrowsOperationCanceled_AndTheLiveReleaseKeepsServing()
    {
        var repository = await RepositoryAsync();
        var application = NewApplication();
        var live = await LiveAsync(application, repository.FirstCommit);
        var fetched = await FetchAsync(application, repository.HeadCommit);
        using var cancel = new CancellationTokenSource(CancelAfter);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Runtime.BuildAsync(BuildOrder(application, fetched, SlowCommand), cancel.Token));

        Assert.Equal(new SampleAnswer("v1", Greeting(live.DeploymentId)), await CallAsync(application));
    }

    [Fact]
    public async Task Start_RunsTheReleaseWithItsVariables()
    {
        var application = NewApplication();

        var live = await LiveAsync(application, (await RepositoryAsync()).HeadCommit);

        Assert.Equal(new SampleAnswer("v2", Greeting(live.DeploymentId)), await CallAsync(application));
    }

    [Fact]
    public async Task Start_LeavesTheLiveReleaseServing_UntilPromote()
    {
        var repository = await RepositoryAsync();
        var application = NewApplication();
        var live = await LiveAsync(application, repository.FirstCommit);

        var started = await StartedAsync(application, repository.HeadCommit);

        Assert.Equal(new SampleAnswer("v1", Greeting(live.DeploymentId)), await CallAsync(application));
        Assert.Equal(live.DeploymentId, (await Runtime.ObserveAsync(application, CancellationToken.None))?.DeploymentId);
        await AssertRunningAsync(application, live.DeploymentId, started.DeploymentId);
    }

    [Fact]
    public async Task Start_WhoseInstanceExitsBeforeItIsReady_ThrowsRuntimeFailure_AndTheLiveReleaseKeepsServing()
    {
        var repository = await RepositoryAsync();
        var application = NewApplication();
        var live = await LiveAsync(application, repository.FirstCommit);
        var fetched = await FetchAsync(application, repository.HeadCommit);

        await Assert.ThrowsAsync<RuntimeFailureException>(() => StartAsync(application, fetched, Settings(repository, startCommand: FailingCommand), CancellationToken.None));

        Assert.Equal(new SampleAnswer("v1", Greeting(live.DeploymentId)), await CallAsync(application));
        await AssertRunningAsync(application, live.DeploymentId);
    }

    [Fact]
    public async Task Start_WhenCancelled_ThrowsOperationCanceled_StopsTheNewInstances_AndTheLiveReleaseKeepsServing()
    {
        var repository = await RepositoryAsync();
        var application = NewApplication();
        var live = await LiveAsync(application, repository.FirstCommit);
        var fetched = await FetchAsync(application, repository.HeadCommit);
        using var cancel = new CancellationTokenSource(CancelAfter);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => StartAsync(application, fetched, Settings(repository, startCommand: SlowCommand), cancel.Token));

        Assert.Equal(new SampleAnswer("v1", Greeting(live.DeploymentId)), await CallAsync(application));
        await AssertRunningAsync(application, live.DeploymentId);
    }

    [Fact]
    public async Task Promote_SendsTrafficToTheReleaseStartedLast_AndStopsThePreviousOne()
    {
        var repository = await RepositoryAsync();
        var application = NewApplication();
        await LiveAsync(application, repository.FirstCommit);
        var started = await StartedAsync(application, repository.HeadCommit);

        await Runtime.PromoteAsync(application, started.DeploymentId, CancellationToken.None);

        Assert.Equal(new SampleAnswer("v2", Greeting(started.DeploymentId)), await CallAsync(application));
        await AssertRunningAsync(application, started.DeploymentId);
    }

    [Fact]
    public async Task Promote_OfAReleaseThatWasNotStarted_ThrowsRuntimeFailure_AndTheLiveReleaseKeepsServing()
    {
        var application = NewApplication();
        var live = await LiveAsync(application, (await RepositoryAsync()).FirstCommit);

        await Assert.ThrowsAsync<RuntimeFailureException>(() => Runtime.PromoteAsync(application, Guid.NewGuid(), CancellationToken.None));

        Assert.Equal(new SampleAnswer("v1", Greeting(live.DeploymentId)), await CallAsync(application));
    }

    [Fact]
    public async Task Discard_OfAReleaseStartedButNotPromoted_StopsIt_AndTheLiveReleaseKeepsServing()
    {
        var repository = await RepositoryAsync();
        var application = NewApplication();
        var live = await LiveAsync(application, repository.FirstCommit);
        var started = await StartedAsync(application, repository.HeadCommit);

        await Runtime.DiscardAsync(application, started.DeploymentId, CancellationToken.None);

        await AssertRunningAsync(application, live.DeploymentId);
        Assert.Equal(new SampleAnswer("v1", Greeting(live.DeploymentId)), await CallAsync(application));
    }

    [Fact]
    public async Task Discard_WhenNoReleaseIsPending_DoesNothing()
    {
        var application = NewApplication();
        var live = await LiveAsync(application, (await RepositoryAsync()).FirstCommit);

        await Runtime.DiscardAsync(application, live.DeploymentId, CancellationToken.None);
        await Runtime.DiscardAsync(application, Guid.NewGuid(), CancellationToken.None);
        await Runtime.DiscardAsync(NewApplication(), Guid.NewGuid(), CancellationToken.None);

        await AssertRunningAsync(application, live.DeploymentId);
        Assert.Equal(new SampleAnswer("v1", Greeting(live.DeploymentId)), await CallAsync(application));
    }

    [Fact]
    public async Task Stop_StopsEveryInstance_LiveAndPending_AndNothingAnswers()
    {
        var repository = await RepositoryAsync();
        var application = NewApplication();
        await LiveAsync(application, repository.FirstCommit);
        await StartedAsync(application, repository.HeadCommit);

        await Runtime.StopAsync(application, CancellationToken.None);

        await AssertRunningAsync(application);
        Assert.Null(await CallAsync(application));
        Assert.Null(await Runtime.ObserveAsync(application, CancellationToken.None));
    }

    [Fact]
    public async Task Stop_OfWhatDoesNotRun_DoesNothing()
    {
        var application = NewApplication();
        await LiveAsync(application, (await RepositoryAsync()).FirstCommit);

        await Runtime.StopAsync(application, CancellationToken.None);
        await Runtime.StopAsync(application, CancellationToken.None);
        await Runtime.StopAsync(NewApplication(), CancellationToken.None);

        await AssertRunningAsync(application);
    }

    [Fact]
    public async Task Observe_WhenNothingRuns_IsNull()
    {
        Assert.Null(await Runtime.ObserveAsync(NewApplication(), CancellationToken.None));
    }

    [Fact]
    public async Task Observe_AfterPromote_AnswersTheLiveReleasesInstances()
    {
        var repository = await RepositoryAsync();
        var application = NewApplication();
        var fetched = await FetchAsync(application, repository.HeadCommit);
        await StartAsync(application, fetched, Settings(repository, instances: 2), CancellationToken.None);
        await Runtime.PromoteAsync(application, fetched.DeploymentId, CancellationToken.None);

        var observed = await Runtime.ObserveAsync(application, CancellationToken.None);

        Assert.NotNull(observed);
        Assert.Equal((application, fetched.DeploymentId, 2, 2), (observed.ApplicationId, observed.DeploymentId, observed.Desired, observed.Ready));
        Assert.All(observed.Instances, i => Assert.Equal((fetched.DeploymentId, InstanceState.Ready), (i.DeploymentId, i.State)));
        Assert.Equal(2, observed.Instances.Select(i => i.Id).Distinct().Count());
        Assert.Equal([1, 2], observed.Instances.Select(i => i.Slot).Order());
    }

    [Fact]
    public async Task UrlOf_IsComputed_TheSameBeforeAndAfterARelease()
    {
        var application = NewApplication();
        var before = Runtime.UrlOf(application, ApplicationName);

        await LiveAsync(application, (await RepositoryAsync()).FirstCommit);

        Assert.True(before.IsAbsoluteUri && (before.Scheme == Uri.UriSchemeHttp || before.Scheme == Uri.UriSchemeHttps), $"{before} is not an http(s) address.");
        Assert.Equal(before, Runtime.UrlOf(application, ApplicationName));
    }

    [Fact]
    public async Task KeptBuild_OfAnEarlierRelease_StartsAgain_AsItWas()
    {
        var repository = await RepositoryAsync();
        var application = NewApplication();
        var first = await LiveAsync(application, repository.FirstCommit);
        await LiveAsync(application, repository.HeadCommit);
        var again = Guid.NewGuid();

        var kept = await Runtime.HasBuildAsync(first.BuildId, CancellationToken.None);
        await StartAsync(application, new Release(again, first.BuildId), Settings(repository), CancellationToken.None);
        await Runtime.PromoteAsync(application, again, CancellationToken.None);

        Assert.True(kept);
        Assert.Equal(new SampleAnswer("v1", Greeting(again)), await CallAsync(application));
    }

    [Fact]
    public async Task Restart_KeepsBuilds_SoTheNewRuntimeStartsAKeptBuildAgain()
    {
        var repository = await RepositoryAsync();
        var application = NewApplication();
        var live = await LiveAsync(application, repository.FirstCommit);
        var restore = Guid.NewGuid();

        await RestartAsync();
        var kept = await Runtime.HasBuildAsync(live.BuildId, CancellationToken.None);
        await StartAsync(application, new Release(restore, live.BuildId), Settings(repository), CancellationToken.None);
        await Runtime.PromoteAsync(application, restore, CancellationToken.None);

        Assert.True(kept);
        Assert.Equal(new SampleAnswer("v1", Greeting(restore)), await CallAsync(application));
        Assert.Equal(restore, (await Runtime.ObserveAsync(application, CancellationToken.None))?.DeploymentId);
    }

    [Fact]
    public async Task DeleteApplication_StopsIt_AndRemovesItsBuilds()
    {
        var repository = await RepositoryAsync();
        var application = NewApplication();
        var first = await LiveAsync(application, repository.FirstCommit);
        var second = await LiveAsync(application, repository.HeadCommit);

        await Runtime.DeleteApplicationAsync(application, CancellationToken.None);

        await AssertRunningAsync(application);
        Assert.Null(await Runtime.ObserveAsync(application, CancellationToken.None));
        Assert.Null(await CallAsync(application));
        Assert.False(await Runtime.HasBuildAsync(first.BuildId, CancellationToken.None));
        Assert.False(await Runtime.HasBuildAsync(second.BuildId, CancellationToken.None));
    }

    [Fact]
    public async Task DeleteApplication_OfWhatDoesNotRun_DoesNothing()
    {
        var application = NewApplication();
        await LiveAsync(application, (await RepositoryAsync()).FirstCommit);

        await Runtime.DeleteApplicationAsync(application, CancellationToken.None);
        await Runtime.DeleteApplicationAsync(application, CancellationToken.None);
        await Runtime.DeleteApplicationAsync(NewApplication(), CancellationToken.None);

        Assert.Null(await Runtime.ObserveAsync(application, CancellationToken.None));
    }

    [Fact]
    public async Task DeployDatabase_MakesADatabaseItsRoleConnectsTo()
    {
        var database = NewDatabase();

        await Runtime.DeployDatabaseAsync(database, CancellationToken.None);

        Assert.True(await AcceptsConnectionsAsync(database));
    }

    [Fact]
    public async Task DeployDatabase_Twice_LeavesItOpen()
    {
        var database = NewDatabase();

        await Runtime.DeployDatabaseAsync(database, CancellationToken.None);
        await Runtime.DeployDatabaseAsync(database, CancellationToken.None);

        Assert.True(await AcceptsConnectionsAsync(database));
    }

    [Fact]
    public async Task StopDatabase_RefusesConnections_AndDeployingItOpensItAgain()
    {
        var database = NewDatabase();
        await Runtime.DeployDatabaseAsync(database, CancellationToken.None);

        await Runtime.StopDatabaseAsync(database, CancellationToken.None);
        var stopped = await AcceptsConnectionsAsync(database);
        await Runtime.DeployDatabaseAsync(database, CancellationToken.None);

        Assert.False(stopped);
        Assert.True(await AcceptsConnectionsAsync(database));
    }

    [Fact]
    public async Task StopDatabase_OfAStoppedOrMissingDatabase_DoesNothing()
    {
        var database = NewDatabase();
        await Runtime.DeployDatabaseAsync(database, CancellationToken.None);

        await Runtime.StopDatabaseAsync(database, CancellationToken.None);
        await Runtime.StopDatabaseAsync(database, CancellationToken.None);
        await Runtime.StopDatabaseAsync(NewDatabase(), CancellationToken.None);

        Assert.False(await AcceptsConnectionsAsync(database));
    }

    [Fact]
    public async Task DeleteDatabase_DropsIt_AndDeletingAMissingOneDoesNothing()
    {
        var database = NewDatabase();
        await Runtime.DeployDatabaseAsync(database, CancellationToken.None);

        await Runtime.DeleteDatabaseAsync(database, CancellationToken.None);
        await Runtime.DeleteDatabaseAsync(database, CancellationToken.None);
        await Runtime.DeleteDatabaseAsync(NewDatabase(), CancellationToken.None);

        Assert.False(await AcceptsConnectionsAsync(database));
    }

    [Fact]
    public async Task DatabaseAddress_IsWhereAReleaseReachesItsDatabase()
    {
        var repository = await RepositoryAsync();
        var database = NewDatabase();
        await Runtime.DeployDatabaseAsync(database, CancellationToken.None);
        var address = await Runtime.DatabaseAddressAsync(CancellationToken.None);
        var url = $"postgresql://{database.ServerName}:{database.Password}@{address.Host}:{address.Port.ToString(CultureInfo.InvariantCulture)}/{database.ServerName}";
        var application = NewApplication();
        var fetched = await FetchAsync(application, repository.HeadCommit);
        await StartAsync(application, fetched, Settings(repository), CancellationToken.None, ("DATABASE_MAIN_URL", url));
        await Runtime.PromoteAsync(application, fetched.DeploymentId, CancellationToken.None);

        var reached = await AsksItsDatabaseAsync(application);
        await Runtime.StopDatabaseAsync(database, CancellationToken.None);
        var reachedStopped = await AsksItsDatabaseAsync(application);

        Assert.True(reached, $"The release did not reach its database at {address}.");
        Assert.False(reachedStopped, "The release still reached its database once it was stopped.");
    }

    /// <summary>A deployment's build, fetched (and maybe built and started).</summary>
    private sealed record Release(Guid DeploymentId, string BuildId);

    private Guid NewApplication()
    {
        var application = Guid.NewGuid();
        _applications.Add(application);
        return application;
    }

    private DatabaseOrder NewDatabase()
    {
        var id = Guid.NewGuid();
        var order = new DatabaseOrder(id, $"db_{id:N}", Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant());
        _databases.Add(order);
        return order;
    }

    private static FetchOrder FetchOrder(Guid applicationId, GitSource source, string? commitId = null, Guid? deploymentId = null) =>
        new(applicationId, deploymentId ?? Guid.NewGuid(), source, commitId, Credentials: null);

    private static BuildOrder BuildOrder(Guid applicationId, Release release, string? command) =>
        new(applicationId, release.DeploymentId, release.BuildId, "/", command, RuntimeVariables.None);

    /// <summary>A new deployment's fetch of a commit.</summary>
    private async Task<Release> FetchAsync(Guid applicationId, string commitId)
    {
        var deployment = Guid.NewGuid();
        var fetched = await Runtime.FetchAsync(FetchOrder(applicationId, (await RepositoryAsync()).Source, commitId, deployment), CancellationToken.None);
        return new Release(deployment, fetched.BuildId);
    }

    /// <summary>A commit fetched, built and started, not promoted.</summary>
    private async Task<Release> StartedAsync(Guid applicationId, string commitId)
    {
        var fetched = await FetchAsync(applicationId, commitId);
        await Runtime.BuildAsync(BuildOrder(applicationId, fetched, command: null), CancellationToken.None);
        await StartAsync(applicationId, fetched, Settings(await RepositoryAsync()), CancellationToken.None);
        return fetched;
    }

    /// <summary>A commit run as a deployment runs it: fetched, built, started, promoted.</summary>
    private async Task<Release> LiveAsync(Guid applicationId, string commitId)
    {
        var release = await StartedAsync(applicationId, commitId);
        await Runtime.PromoteAsync(applicationId, release.DeploymentId, CancellationToken.None);
        return release;
    }

    private Task StartAsync(Guid applicationId, Release release, ApplicationSettings settings, CancellationToken cancellationToken, params (string Key, string Value)[] extra)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GREETING"] = Greeting(release.DeploymentId),
            [ApplicationVariable] = applicationId.ToString("N"),
            [ReleaseVariable] = release.DeploymentId.ToString("N"),
        };
        foreach (var (key, value) in extra)
        {
            values[key] = value;
        }

        return Runtime.StartAsync(new ReleaseOrder(applicationId, release.DeploymentId, release.BuildId, settings, new RuntimeVariables(values, [.. extra.Select(e => e.Value)])),
            cancellationToken);
    }

    /// <summary>Insists that exactly these releases of the application run.</summary>
    private async Task AssertRunningAsync(Guid applicationId, params Guid[] releases) =>
        Assert.Equal(releases.Order(), (await RunningReleasesAsync(applicationId)).Order());

    /// <summary>Each release greets with its deployment: an answer tells which release gave it.</summary>
    private static string Greeting(Guid deploymentId) => $"release {deploymentId:N}";

    /// <summary>The sample application with quick probes, one instance unless asked.</summary>
    private static ApplicationSettings Settings(ContractRepository repository, string? startCommand = null, int instances = 1) => new(
        ApplicationName,
        repository.Source,
        BuildCommand: null,
        startCommand ?? repository.StartCommand,
        Port: 8080,
        Cpu: 0.5,
        Memory: 64,
        MinRunningInstances: instances,
        MaxRunningInstances: instances,
        AutoDeploy: false,
        new Healthchecks(new Probe(ProbeType.Http, "/health", null, InitialDelaySeconds: 0, PeriodSeconds: 1, TimeoutSeconds: 2, FailureThreshold: 3), LivenessProbe: null));
}
