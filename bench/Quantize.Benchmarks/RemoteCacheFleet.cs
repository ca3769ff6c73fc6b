using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Quantize.Testing;
using Quantize.Testing.Packaging;
using static Quantize.Benchmarks.BenchmarkSteps;

namespace Quantize.Benchmarks;

/// <summary>
/// The remote cache on a simulated fleet, against a real nginx WebDAV server on this machine.
/// <list type="bullet">
/// <item><c>remote-fleet [projects]</c>: that many consumer projects, each with three MiniLM items (Int8, Int4, Fp16:
/// three unique cache keys) and its own empty local cache folder, built in parallel as separate <c>dotnet build</c>
/// processes, once without and once with the remote cache; then a second wave of fresh projects against the
/// filled server. Reports wall times and how often each unique model was quantized fleet-wide.</item>
/// <item><c>remote-hit [rounds]</c>: one MiniLM Int8 project; interleaved rounds of a local-cache-hit build, a
/// remote-hit build (empty local cache) and a plain HTTP GET of the entry's bytes, medians side by side.</item>
/// </list>
/// </summary>
public static partial class RemoteCacheFleet
{
    private static readonly (string Class, string Precision)[] Models = [("MiniLmInt8", "Int8"), ("MiniLmInt4", "Int4"), ("MiniLmFp16", "Fp16")];

    public static void Fleet(int projects)
    {
        using var feed = new LocalPackageFeed("quantize-build-it", "fleet");
        using var server = WebDavServer.Start();
        Console.WriteLine(Machine());

        var local = Wave(feed, "Local", projects, remote: null);
        var remote = Wave(feed, "Remote", projects, server.Url);
        var later = Wave(feed, "Later", projects, server.Url);

        Console.WriteLine($"| fleet of {projects} projects x {Models.Length} models | wall | quantized (per unique model) | remote hits |");
        Console.WriteLine("|---|---:|---|---:|");
        foreach (var (name, result) in new[] { ("local caches only", local), ("remote cache, empty server", remote), ("remote cache, second wave", later) })
        {
            var perModel = string.Join(", ", Models.Select(m => $"{m.Precision} {result.Quantized.GetValueOrDefault(m.Class)}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {result.Wall.TotalSeconds:0.0} s | {perModel} | {result.Hits} |"));
        }
    }

    public static void Hit(int rounds)
    {
        using var feed = new LocalPackageFeed("quantize-build-it", "remotehit");
        using var server = WebDavServer.Start();
        var localCache = Path.Combine(feed.Root, "local-cache");
        var project = new ConsumerProject(feed, "RemoteHit");
        project.AddModelFile("minilm.onnx", RealModels.MiniLmPath);
        project.Items = """<QuantizedModel Include="models/minilm.onnx" Precision="Int8" ClassName="MiniLm" />""";
        project.Properties = $"""
            <QuantizeCacheDirectory>{localCache}</QuantizeCacheDirectory>
            <QuantizeRemoteCache>{server.Url}</QuantizeRemoteCache>
            """;
        project.WriteProject();
        project.WriteProgram("Console.WriteLine(RemoteHit.MiniLm.Model.Precision);");
        Check(project.Build(), "first build (quantize and upload)");
        var blobs = Directory.GetFiles(server.CasDirectory).Select(f => Path.GetFileName(f)).ToList();
        long bytes = blobs.Sum(b => new FileInfo(Path.Combine(server.CasDirectory, b)).Length);

        using var http = new HttpClient();
        var localHits = new List<double>();
        var remoteHits = new List<double>();
        var gets = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            localHits.Add(TimedBuild(project, "reused cache entry"));
            Directory.Delete(localCache, recursive: true);
            remoteHits.Add(TimedBuild(project, "remote hit"));
            var clock = Stopwatch.StartNew();
            foreach (var blob in blobs)
            {
                using var response = http.GetAsync($"{server.Url}/cas/{blob}", HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
                response.EnsureSuccessStatusCode();
                response.Content.ReadAsStream().CopyTo(Stream.Null);
            }

            gets.Add(clock.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine(Machine());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MiniLM Int8 entry: {blobs.Count} files, {bytes / 1e6:0.0} MB; {rounds} interleaved rounds, medians"));
        Console.WriteLine("| local-cache hit build | remote-hit build | plain HTTP GET of the bytes | bound (1.3 x local + GET) | remote / bound |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        double bound = (1.3 * Median(localHits)) + Median(gets);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {Median(localHits):0} ms | {Median(remoteHits):0} ms | {Median(gets):0} ms | {bound:0} ms | {Median(remoteHits) / bound:0.00} |"));
    }

    private static WaveResult Wave(LocalPackageFeed feed, string prefix, int projects, string? remote)
    {
        var consumers = new List<ConsumerProject>();
        for (int i = 0; i < projects; i++)
        {
            var project = new ConsumerProject(feed, $"{prefix}{i}");
            project.AddModelFile("minilm.onnx", RealModels.MiniLmPath);
            project.Items = string.Concat(Models.Select(m => $"""<QuantizedModel Include="models/minilm.onnx" Precision="{m.Precision}" ClassName="{m.Class}" />"""));
            project.Properties = $"<QuantizeCacheDirectory>$(MSBuildProjectDirectory)/local-cache</QuantizeCacheDirectory>"
                + (remote is null ? "" : $"<QuantizeRemoteCache>{remote}</QuantizeRemoteCache>");
            project.WriteProject();
            project.WriteProgram($"Console.WriteLine({prefix}{i}.MiniLmInt8.Model.Precision);");
            Check(DotnetProcess.Run(project.Directory, "restore"), $"restore {project.Name}");
            consumers.Add(project);
        }

        var clock = Stopwatch.StartNew();
        var builds = consumers.Select(p => Task.Run(() => p.Build("--no-restore"))).ToArray();
        Task.WaitAll(builds);
        var wall = clock.Elapsed;
        var quantized = new Dictionary<string, int>();
        int hits = 0;
        foreach (var build in builds.Select(b => b.Result))
        {
            Check(build, $"{prefix} fleet build");
            foreach (var line in build.ModelLines)
            {
                var model = Models.First(m => line.Contains($" {m.Class} (", StringComparison.Ordinal) || line.Contains($": {m.Class} (", StringComparison.Ordinal)).Class;
                if (line.Contains("; quantized", StringComparison.Ordinal))
                {
                    quantized[model] = quantized.GetValueOrDefault(model) + 1;
                }

                hits += line.Contains("; remote hit", StringComparison.Ordinal) ? 1 : 0;
            }
        }

        return new WaveResult(wall, quantized, hits);
    }

    private static double TimedBuild(ConsumerProject project, string expected)
    {
        foreach (var marker in Directory.GetFiles(project.Obj("quantize"), "*.done"))
        {
            File.Delete(marker);
        }

        var clock = Stopwatch.StartNew();
        var build = project.Build("--no-restore");
        var elapsed = clock.Elapsed.TotalMilliseconds;
        Check(build, expected);
        if (!build.ModelLines.Any(l => l.Contains(expected, StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"Expected a build with '{expected}':\n{build.Output}");
        }

        return elapsed;
    }

    private static string Machine() =>
        $"{Environment.ProcessorCount} cores, {Cpu().Match(File.ReadAllText("/proc/cpuinfo")).Groups[1].Value.Trim()}, load average {File.ReadAllText("/proc/loadavg").Trim()}";

    [GeneratedRegex(@"model name\s*:\s*(.*)")]
    private static partial Regex Cpu();

    private sealed record WaveResult(TimeSpan Wall, Dictionary<string, int> Quantized, int Hits);
}
