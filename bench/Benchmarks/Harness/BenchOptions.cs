namespace Platform.Benchmarks.Harness;

/// <summary>The command line: <c>--quick</c> (smaller data, shorter windows), <c>--only a,b</c> (run these benchmarks), <c>--results DIR</c>.</summary>
internal sealed record BenchOptions(bool Quick, IReadOnlySet<string> Only, string ResultsDirectory, string Root)
{
    public static BenchOptions Parse(string[] args, string root)
    {
        var quick = false;
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var results = Path.Combine(root, "bench", "results");
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--only" when i + 1 < args.Length:
                    only.UnionWith(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--results" when i + 1 < args.Length:
                    results = Path.GetFullPath(args[++i]);
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: bench/run.sh [--quick] [--only name,name] [--results DIR]");
            }
        }

        return new BenchOptions(quick, only, results, root);
    }

    /// <summary>The full figure or the quick one.</summary>
    public T Pick<T>(T full, T quick) => Quick ? quick : full;

    public bool Runs(string name) => Only.Count == 0 || Only.Contains(name);
}
