using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Quantize.Testing.TestModels;

namespace Quantize.Benchmarks;

/// <summary>
/// Peak memory and time of quantizing a 6 GB FP32 decoder (<see cref="DecoderShape.OneAndHalfBillion"/>, external data)
/// with the real CLI, one fresh process per run, next to the floor of the same run: reading every input byte and writing
/// as many bytes as the run's output holds, measured in this process right after it (median of three), with the file
/// cache in the same state. Optionally with the speed check too, which loads the float model into ONNX Runtime (and so holds it in memory)
/// to time it.
/// </summary>
public static partial class DecoderMemory
{
    /// <summary>
    /// Runs the CLI for INT4, INT8 and FP16 (or those of <paramref name="precisions"/>, by their CLI names) and prints a Markdown table: with the model in the operating system's file cache
    /// (warm: the floor is then memory bandwidth), and, where this process may drop that cache (root on Linux), with
    /// it dropped before the run and again before its floor (cold: a build server's first build reads the disk).
    /// </summary>
    public static void Report(bool withSpeedCheck, IReadOnlyCollection<string> precisions)
    {
        var shape = DecoderShape.OneAndHalfBillion();
        var model = DecoderSpeed.Write(shape);
        long floatBytes = ModelBytes(model);
        bool canDrop = DropFileCache();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Decoder {shape.Parameters / 1e9:F2} B parameters, {floatBytes / 1e9:F2} GB FP32; `dotnet quantize` per precision, peak resident memory from its summary"));
        Console.WriteLine("| precision | file cache | speed check | peak memory | × model size | CLI time | floor (read input + write output) | time / floor |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (name, arguments) in new (string, string[])[] { ("INT4", ["-p", "int4"]), ("INT8", ["-p", "int8"]), ("FP16", ["-p", "fp16"]) })
        {
            if (precisions.Count > 0 && !precisions.Contains(arguments[1]))
            {
                continue;
            }

            foreach (bool cold in canDrop ? new[] { false, true } : [false])
            {
                foreach (bool speedCheck in withSpeedCheck && !cold ? new[] { false, true } : [false])
                {
                    Run(name, arguments, model, floatBytes, cold, speedCheck);
                }
            }
        }
    }

    private static void Run(string name, string[] arguments, string model, long floatBytes, bool cold, bool speedCheck)
    {
        var output = Path.Combine(BenchmarkModels.Folder, "decoder-memory.onnx");
        if (cold)
        {
            DropFileCache();
        }
        else
        {
            Floor(model, 0); // reads the model into the file cache
        }

        var clock = Stopwatch.StartNew();
        var text = DecoderSpeed.RunCli([model, "-o", output, .. arguments, .. speedCheck ? Array.Empty<string>() : ["--no-speed-check"]]);
        double seconds = clock.Elapsed.TotalSeconds;
        var peak = Peak().Match(text);
        if (!peak.Success)
        {
            throw new InvalidOperationException("The CLI printed no peak memory:\n" + text);
        }

        double peakBytes = PeakMemory.ToBytes(peak.Groups["peak"].Value, peak.Groups["unit"].Value);
        // The floor swings with the host's disk cache and flush times: the median of three, each in the run's cache state.
        double floor = Enumerable.Range(0, 3).Select(_ =>
        {
            if (cold)
            {
                DropFileCache();
            }
            else
            {
                Floor(model, 0);
            }

            return Floor(model, ModelBytes(output));
        }).Order().ElementAt(1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {(cold ? "cold" : "warm")} | {(speedCheck ? "on" : "off")} | {peakBytes / (1 << 30):F2} GiB | {peakBytes / floatBytes:F3} | {seconds:F1} s | {floor:F1} s | {seconds / floor:F2} |"));
    }

    /// <summary>Writes dirty pages out and drops the operating system's file cache; false where this process may not.</summary>
    private static bool DropFileCache()
    {
        const string Control = "/proc/sys/vm/drop_caches";
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            using (var sync = Process.Start("sync"))
            {
                sync?.WaitForExit();
            }

            File.WriteAllText(Control, "3");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Seconds to read the model and its data file and to write (and flush) <paramref name="outputBytes"/> bytes.</summary>
    private static double Floor(string model, long outputBytes)
    {
        var clock = Stopwatch.StartNew();
        var buffer = new byte[1 << 20];
        foreach (var file in new[] { model, model + ".data" }.Where(File.Exists))
        {
            using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            while (input.Read(buffer) > 0)
            {
            }
        }

        var floorPath = Path.Combine(BenchmarkModels.Folder, "decoder-memory.floor");
        using (var output = new FileStream(floorPath, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            for (long written = 0; written < outputBytes; written += buffer.Length)
            {
                output.Write(buffer, 0, (int)Math.Min(buffer.Length, outputBytes - written));
            }

            output.Flush(flushToDisk: true);
        }

        double seconds = clock.Elapsed.TotalSeconds;
        File.Delete(floorPath);
        return seconds;
    }

    private static long ModelBytes(string path) => new FileInfo(path).Length + (File.Exists(path + ".data") ? new FileInfo(path + ".data").Length : 0);

    [GeneratedRegex(@"peak memory (?<peak>[\d.]+) (?<unit>\w+)")]
    private static partial Regex Peak();
}
