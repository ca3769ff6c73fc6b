using System.Diagnostics;
using Quantize.Core;

namespace Quantize.Benchmarks;

/// <summary>
/// Peak resident memory while quantizing the 400 MB model. BenchmarkDotNet's memory diagnoser counts
/// managed allocations, not the process high-water mark, so each precision runs in a fresh child process
/// of this program that reports its own VmHWM (Linux) or peak working set.
/// </summary>
public static class PeakMemory
{
    /// <summary>Parent: runs one child per precision and prints a table.</summary>
    public static void Report()
    {
        var model = BenchmarkModels.Synthetic400Mb;
        long modelBytes = new FileInfo(model).Length;
        Console.WriteLine($"Peak memory quantizing {Path.GetFileName(model)} ({modelBytes / 1e6:F0} MB)");
        Console.WriteLine("| precision | peak RSS (MB) | × model size |");
        Console.WriteLine("|---|---|---|");
        foreach (var precision in Enum.GetValues<Precision>())
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            {
                // Started as `dotnet Quantize.Benchmarks.dll`: the child needs the assembly path too.
                start.ArgumentList.Add(typeof(PeakMemory).Assembly.Location);
            }

            start.ArgumentList.Add("peak-memory-child");
            start.ArgumentList.Add(precision.ToString());

            using var child = Process.Start(start)!;
            var output = child.StandardOutput.ReadToEnd().Trim();
            child.WaitForExit();
            long peak = long.Parse(output.Split('\n')[^1], System.Globalization.CultureInfo.InvariantCulture);
            Console.WriteLine($"| {precision} | {peak / 1e6:F0} | {(double)peak / modelBytes:F2} |");
        }
    }

    /// <summary>Child: quantizes once (with verification, as the CLI does by default) and prints its peak RSS in bytes.</summary>
    public static void Child(string precisionName)
    {
        var precision = Enum.Parse<Precision>(precisionName);
        var output = Path.Combine(BenchmarkModels.Folder, $"peak.{precision}.onnx");
        QuantizeEngine.Quantize(BenchmarkModels.Synthetic400Mb, output, new QuantizeOptions { Precision = precision });
        Console.WriteLine(PeakResidentBytes());
    }

    private static long PeakResidentBytes()
    {
        const string status = "/proc/self/status";
        if (File.Exists(status))
        {
            var line = File.ReadLines(status).First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }

        return Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
