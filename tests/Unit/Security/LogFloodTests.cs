using Microsoft.Extensions.DependencyInjection;
using Platform.Portal.Logs;
using Platform.Tests.Deployments;
using Xunit.Abstractions;

namespace Platform.Tests.Security;

/// <summary>
/// An instance printed 8000-character lines as fast as it could for 10 s. The log writer's queue, bounded by its count
/// (200,000) and not by its text, and the live forwarder's queue (50,000 batches, each line explained before it is
/// sent) held 2.9 GB of live objects in the portal, and the writer's queue pushed other services' lines out. Both are
/// now bounded by characters; what a flood loses is said in one line.
/// </summary>
[Collection(Platform.Tests.Runtime.MemoryMeasurements.Name)]
public sealed class LogFloodTests(EscapePortal escape, ITestOutputHelper output) : IClassFixture<EscapePortal>
{
    [Fact]
    public async Task AnInstancePrintingLongLinesFast_KeepsThePortalsMemoryBounded_AndIsToldWhatWasNotKept()
    {
        var body = ShellApp.Body("/placeholder");
        body["start_command"] = "python3 app.py & while [ ! -f /tmp/go ]; do sleep 0.2; done; timeout 10 yes \"$(head -c 8000 /dev/zero | tr '\\0' a)\"; wait";
        var app = await ShellApp.DeployAsync(escape.Portal, body: body);
        var writer = escape.Portal.Services.GetRequiredService<BatchedLogWriter>();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        await ShellApp.ShAsync(app.Url, "touch /tmp/go");
        long live = 0, queued = 0;
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(500);
            queued = Math.Max(queued, writer.QueuedCharacters);
            if (i % 5 == 4)
            {
                live = Math.Max(live, GC.GetTotalMemory(forceFullCollection: true));
            }
        }

        output.WriteLine($"live objects {before / 1024 / 1024} MB before, {live / 1024 / 1024} MB at most during the flood; {queued} characters queued at most");
        // Looked for in the table: the flood goes on after the first such line, so it may be far from the tail.
        var told = await Poll.UntilAsync(() => NoticesAsync(app.Id), n => n > 0, "the line saying what was not kept");

        Assert.True(live - before < 200L * 1024 * 1024, $"The portal held {(live - before) / 1024 / 1024} MB more live objects during the flood");
        Assert.True(queued <= BatchedLogWriter.MaxQueuedCharactersPerService + 10_000);
        Assert.True(told > 0);
    }

    private async Task<long> NoticesAsync(Guid applicationId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(escape.Portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM log_line WHERE service_id = @id AND message LIKE '%were not kept%'", connection);
        command.Parameters.AddWithValue("id", applicationId);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
