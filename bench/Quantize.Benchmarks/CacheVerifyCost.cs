using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Quantize.Testing;
using Quantize.Testing.Packaging;
using static Quantize.Benchmarks.BenchmarkSteps;

namespace Quantize.Benchmarks;

/// <summary>
/// `cache-verify [rounds]`: what verifying a cache entry (<c>&lt;key&gt;.digest.json</c>: size and SHA-256 of each
/// file) costs in a cache-hit build. A consumer with MiniLM at Int8 is built once (quantized into its cache); each
/// round removes the model's <c>.done</c> marker, so the next <c>dotnet build --no-restore</c> starts the worker,
/// which finds the entry in the cache, verifies it and copies nothing. The worker prints how long verification took;
/// the table sets it against the whole build's wall time, both from the same builds.
/// </summary>
public static partial class CacheVerifyCost
{
    public static void Report(int rounds)
    {
        var feed = new LocalPackageFeed("quantize-build-it", "verify");
        try
        {
            var project = new ConsumerProject(feed, "VerifyCost");
            project.Properties = $"<QuantizeCacheDirectory>{Path.Combine(feed.Root, "cache")}</QuantizeCacheDirectory>";
            project.AddModelFile("minilm.onnx", RealModels.MiniLmPath);
            project.Items = """<QuantizedModel Include="models/minilm.onnx" Precision="Int8" ClassName="MiniLm" />""";
            project.WriteProject();
            project.WriteProgram("Console.WriteLine(VerifyCost.MiniLm.Model.Precision);");
            Check(project.Build(), "first build");

            var walls = new List<double>();
            var verifications = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                foreach (var marker in Directory.GetFiles(project.Obj("quantize"), "*.done"))
                {
                    File.Delete(marker);
                }

                var clock = Stopwatch.StartNew();
                var build = project.Build("--no-restore");
                walls.Add(clock.Elapsed.TotalMilliseconds);
                Check(build, $"cache-hit build {round + 1}");
                var match = Verified().Match(build.Output);
                if (!match.Success)
                {
                    throw new InvalidOperationException($"Build {round + 1} did not reuse the cache entry:\n{build.Output}");
                }

                verifications.Add(double.Parse(match.Groups["ms"].Value, CultureInfo.InvariantCulture));
            }

            var entry = Directory.GetFiles(Path.Combine(feed.Root, "cache"), "*.onnx", SearchOption.AllDirectories).Single();
            Console.WriteLine($"{Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}; entry {new FileInfo(entry).Length / 1e6:0.0} MB");
            Console.WriteLine("| cache-hit build (wall, median) | verification (median) | share |");
            Console.WriteLine("|---|---|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Median(walls):0} ms | {Median(verifications):0} ms | {100 * Median(verifications) / Median(walls):0.0} % |"));
        }
        finally
        {
            feed.Dispose();
        }
    }

    [GeneratedRegex(@"reused cache entry \w+ \(verified in (?<ms>\d+) ms\)", RegexOptions.CultureInvariant)]
    private static partial Regex Verified();
}
