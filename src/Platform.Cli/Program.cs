namespace Platform.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl-C ends what is followed cleanly; a second one ends the process as usual.
            if (!stop.IsCancellationRequested)
            {
                e.Cancel = true;
                stop.Cancel();
            }
        };
        var context = new CliContext(Console.Out, Console.Error, Console.In);
        return await PlatformCli.RunAsync(args, context, stop.Token);
    }
}
