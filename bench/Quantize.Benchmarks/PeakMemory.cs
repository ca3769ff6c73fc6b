using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Quantize.Core;

namespace Quantize.Benchmarks;

/// <summary>
/// Peak resident memory while quantizing the 400 MB model. BenchmarkDotNet's memory diagnoser counts
/// managed allocations, not the process high-water mark, so each precision runs the real CLI
/// (Quantize.Cli.dll, with its own runtime settings and the ONNX Runtime verification it does by
/// default) in a fresh process, which reports its own peak in its summary.
/// </summary>
public static partial class PeakMemory
{
    /// <summary>Runs one CLI process per precision and prints a Markdown table.</summary>
    public static void Report()
    {
        var model = BenchmarkModels.Synthetic400Mb;
        var cli = Path.Combine(AppContext.BaseDirectory, "Quantize.Cli.dll");
        long modelBytes = new FileInfo(model).Length;
        Console.WriteLine($"Peak memory of `dotnet quantize` on {Path.GetFileName(model)} ({modelBytes / 1e6:F0} MB)");
        Console.WriteLine("| precision | peak RSS (MB) | × model size | time |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var precision in Enum.GetValues<Precision>())
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { cli, "quantize", model, "-o", Path.Combine(BenchmarkModels.Folder, $"peak.{precision}.onnx"), "-p", precision.ToString() })
            {
                start.ArgumentList.Add(argument);
            }

            using var child = Process.Start(start)!;
            var stderr = child.StandardError.ReadToEndAsync();
            var output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            var match = TimeAndPeak().Match(output);
            if (child.ExitCode != 0 || !match.Success)
            {
                throw new InvalidOperationException($"CLI failed ({child.ExitCode}): {output}{stderr.Result}");
            }

            double peakMb = ToBytes(match.Groups["peak"].Value, match.Groups["unit"].Value) / 1e6;
            Console.WriteLine($"| {precision} | {peakMb:F0} | {peakMb * 1e6 / modelBytes:F2} | {match.Groups["time"].Value} |");
        }
    }

    /// <summary>A size the CLI printed ("1.30" "GiB") in bytes.</summary>
    internal static double ToBytes(string value, string unit) =>
        double.Parse(value, CultureInfo.InvariantCulture) * unit switch
        {
            "KiB" => 1024,
            "MiB" => 1024 * 1024,
            "GiB" => 1024 * 1024 * 1024,
            _ => 1,
        };

    [GeneratedRegex(@"Time: (?<time>[^,(]+).*peak memory (?<peak>[\d.]+) (?<unit>\w+)")]
    private static partial Regex TimeAndPeak();
}
