using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Quantize.Core;
using Quantize.Core.Onnx;
using Quantize.Testing.Packaging;
using Quantize.Testing.TestModels;
using static Quantize.Benchmarks.BenchmarkSteps;

namespace Quantize.Benchmarks;

/// <summary>
/// What Quantize.Build adds to a no-op <c>dotnet build</c>. Three consumer projects of the packed package,
/// identical but for what the comparison is about:
/// <list type="bullet">
/// <item><c>WithModels</c>: the Quantize.Build package and three <c>QuantizedModel</c> items (Int8, Fp16, Int4);</item>
/// <item><c>PackageOnly</c>: the Quantize.Build package, no items;</item>
/// <item><c>OrtOnly</c>: Microsoft.ML.OnnxRuntime at the version Quantize.Runtime uses, no Quantize.Build at all
/// (what an app that runs ONNX models has without us);</item>
/// <item><c>WithDecoder</c> (only with <c>decoder</c>): one <c>QuantizedModel</c>, the 509 M-parameter decoder (2.04 GB
/// FP32 with external data) at Int4, not embedded but copied beside the app (issue 12's ≥ 2 GB consumer).</item>
/// </list>
/// Each is built once in full, then no-op builds (<c>dotnet build --no-restore</c>) run in rounds, one build of
/// each project per round in a rotating order, so machine drift and order effects fall on all three alike.
/// BenchmarkDotNet does not fit: the unit of work is a child process tree, not a method.
/// </summary>
public static partial class NoOpBuild
{
    private const string Baseline = "OrtOnly";

    /// <summary>Packs, builds, times and prints a Markdown table.</summary>
    /// <param name="rounds">Timed no-op builds per project.</param>
    /// <param name="keep">Leave the feed and the projects on disk (to profile them by hand, e.g. with <c>-bl</c>).</param>
    /// <param name="decoder">Add the project with the 2 GB decoder (its first build quantizes for about a minute and needs about 8 GB).</param>
    public static void Report(int rounds, bool keep, bool decoder)
    {
        Console.WriteLine("Packing Quantize.Build and Quantize.Runtime to a private feed...");
        // The integration tests' temp folder: its global packages folder (ONNX Runtime, about 1.5 GB) is shared.
        var feed = new LocalPackageFeed("quantize-build-it", "bench");
        try
        {
            Measure(feed, rounds, decoder);
        }
        finally
        {
            if (keep)
            {
                Console.WriteLine($"Projects kept in {feed.Root}");
            }
            else
            {
                feed.Dispose();
            }
        }
    }

    private static void Measure(LocalPackageFeed feed, int rounds, bool decoder)
    {
        Console.WriteLine($"Packed {feed.Version} into {feed.Feed}");
        var projects = CreateProjects(feed, decoder);

        var outputs = new Dictionary<string, DateTime>();
        foreach (var project in projects)
        {
            var first = project.Build();
            Check(first, project, "first build");
            if (HasModels(project) && first.WorkerRuns != 1)
            {
                throw new InvalidOperationException($"The first build of {project.Name} should quantize its models in one worker run:\n{first.Output}");
            }

            // One untimed no-op build: the first one after a full build may still write incremental caches.
            Check(NoOp(project, []).Result, project, "warm-up no-op build");
            outputs[project.Name] = File.GetLastWriteTimeUtc(OutputAssembly(project));
        }

        var times = projects.ToDictionary(p => p.Name, _ => new List<double>());
        var cpu = projects.ToDictionary(p => p.Name, _ => new List<double>());
        var loadBefore = LoadAverage();
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < projects.Length; i++)
            {
                var project = projects[(round + i) % projects.Length];
                var (result, milliseconds, cpuMilliseconds) = NoOp(project, []);
                Check(result, project, $"no-op build {round + 1}");
                if (result.Output.Contains("Quantize.Build: quantizing", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"A no-op build of {project.Name} started the worker:\n{result.Output}");
                }

                times[project.Name].Add(milliseconds);
                if (cpuMilliseconds is double c)
                {
                    cpu[project.Name].Add(c);
                }
            }
        }

        foreach (var project in projects)
        {
            // The output assembly is untouched: the timed builds were real no-op builds (no compile, no copy).
            if (File.GetLastWriteTimeUtc(OutputAssembly(project)) != outputs[project.Name])
            {
                throw new InvalidOperationException($"{project.Name}'s assembly was rewritten during the no-op builds.");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{Environment.ProcessorCount} cores; load average (1, 5, 15 min) before timing {loadBefore}, after {LoadAverage()}");
        var withModels = projects.Where(HasModels).Select(p => p.Name).ToList();
        PrintTable("Wall time", times, rounds, withModels);
        if (cpu.Values.All(v => v.Count == rounds))
        {
            PrintTable("CPU time (user + system, whole process tree)", cpu, rounds, withModels);
        }

        if (decoder)
        {
            PrintQuantizeTargets(projects[^1]);
        }

        PrintQuantizeTargets(projects[0]);
    }

    private static ConsumerProject[] CreateProjects(LocalPackageFeed feed, bool decoder)
    {
        var withModels = new ConsumerProject(feed, "WithModels");
        withModels.AddModel("mlp.onnx", TestModelCatalog.Mlp());
        withModels.AddModel("attention.onnx", TestModelCatalog.AttentionBlock());
        withModels.AddModel("embedding.onnx", TestModelCatalog.Embedding());
        withModels.Items = """
            <QuantizedModel Include="models/mlp.onnx" Precision="Int8" />
            <QuantizedModel Include="models/attention.onnx" Precision="Fp16" />
            <QuantizedModel Include="models/embedding.onnx" Precision="Int4" />
            """;
        // Touch the generated classes so the first build proves the generator produced them.
        withModels.WriteProgram("""
            Console.WriteLine($"{WithModels.Mlp.Model.Precision} {WithModels.Attention.Model.Precision} {WithModels.Embedding.Model.Precision}");
            """);

        var packageOnly = new ConsumerProject(feed, "PackageOnly");
        packageOnly.WriteProgram("""Console.WriteLine("no models");""");

        var ortOnly = new ConsumerProject(feed, Baseline);
        ortOnly.PackageReferences = $"""<PackageReference Include="Microsoft.ML.OnnxRuntime" Version="{OnnxRuntimeVersion(feed.RepositoryRoot)}" />""";
        ortOnly.WriteProgram("""Console.WriteLine("no models");""");

        ConsumerProject[] projects = decoder ? [withModels, packageOnly, ortOnly, WithDecoder(feed)] : [withModels, packageOnly, ortOnly];
        foreach (var project in projects)
        {
            project.WriteProject();
        }

        return projects;
    }

    /// <summary>The heavy tier's consumer (<c>HeavyDecoderBuildTests</c>): a 2 GB decoder at Int4, loaded beside the app.</summary>
    private static ConsumerProject WithDecoder(LocalPackageFeed feed)
    {
        var project = new ConsumerProject(feed, "WithDecoder");
        var models = Path.Combine(project.Directory, "models");
        Directory.CreateDirectory(models);
        ModelWriter.Save(DecoderTestModels.Llama(DecoderShape.HalfBillion()), Path.Combine(models, "decoder.onnx"), ExternalDataMode.Always);
        project.Items = """<QuantizedModel Include="models/decoder.onnx" Precision="Int4" ClassName="Decoder" />""";
        project.WriteProgram("""
            Console.WriteLine(WithDecoder.Decoder.Model.Precision);
            """);
        return project;
    }

    /// <summary>The ONNX Runtime version Quantize.Runtime is built against (central package versions).</summary>
    private static string OnnxRuntimeVersion(string repositoryRoot) =>
        XDocument.Load(Path.Combine(repositoryRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .Single(e => (string?)e.Attribute("Include") == "Microsoft.ML.OnnxRuntime")
            .Attribute("Version")!.Value;

    private static (CommandResult Result, double Milliseconds, double? CpuMilliseconds) NoOp(ConsumerProject project, string[] extra)
    {
        var cpuBefore = ChildCpuTime.Milliseconds();
        var watch = Stopwatch.StartNew();
        var result = DotnetProcess.Run(project.Directory, ["build", "--no-restore", "-nodeReuse:false", .. extra]);
        var wall = watch.Elapsed.TotalMilliseconds;
        return (result, wall, ChildCpuTime.Milliseconds() - cpuBefore);
    }

    private static string OutputAssembly(ConsumerProject project) =>
        Path.Combine(project.Directory, "bin", "Debug", "net10.0", project.Name + ".dll");

    private static void Check(CommandResult result, ConsumerProject project, string step)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{step} of {project.Name} failed:\n{result.Output}");
        }
    }

    private static bool HasModels(ConsumerProject project) => project.Items.Length > 0;

    private static void PrintTable(string measure, Dictionary<string, List<double>> times, int rounds, List<string> withModels)
    {
        var median = times.ToDictionary(t => t.Key, t => Median(t.Value));
        Console.WriteLine();
        Console.WriteLine($"{measure} of a no-op `dotnet build --no-restore`, {rounds} rounds (one build of each project per round, rotating order)");
        Console.WriteLine($"| project | median (ms) | min (ms) | max (ms) | median − {Baseline} (ms) |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (name, values) in times)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {median[name]:F0} | {values.Min():F0} | {values.Max():F0} | {median[name] - median[Baseline]:+0;-0;0} |"));
        }

        // The per-round difference cancels slow drift better than a difference of medians.
        double Paired(string a, string b) => Median([.. Enumerable.Range(0, rounds).Select(r => times[a][r] - times[b][r])]);
        var differences = withModels
            .SelectMany(n => new[] { (n, Baseline), (n, "PackageOnly") })
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Item1} − {p.Item2} = {Paired(p.Item1, p.Item2):+0;-0;0} ms"));
        Console.WriteLine("Median of per-round differences: " + string.Join(", ", differences));
    }

    /// <summary>
    /// One more no-op build of the project with models with MSBuild's performance summary, reduced to what
    /// Quantize.Build contributes: its targets and tasks and their exclusive times.
    /// </summary>
    private static void PrintQuantizeTargets(ConsumerProject project)
    {
        var (result, _, _) = NoOp(project, ["-clp:PerformanceSummary", "-v:q"]);
        Check(result, project, "profiled no-op build");
        Console.WriteLine();
        Console.WriteLine($"Quantize.Build's share of one profiled no-op build of {project.Name} (MSBuild performance summary, ms, calls):");
        foreach (var line in result.Output.Split('\n').Select(l => l.Trim()).Where(l => QuantizeLine().IsMatch(l)))
        {
            Console.WriteLine("  " + line);
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    [GeneratedRegex(@"^\d+ ms\s+.*(Quantize|_Quantize)", RegexOptions.CultureInvariant)]
    private static partial Regex QuantizeLine();
}
