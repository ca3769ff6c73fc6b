using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Quantize.Testing.TestModels;

namespace Quantize.Benchmarks;

/// <summary>
/// Peak memory and time of quantizing a 6 GB FP32 decoder (<see cref="DecoderShape.OneAndHalfBillion"/>, external data)
/// with the real CLI, one fresh process per run, next to the floor of the same run: reading every input byte and writing
/// as many bytes as the run's output holds, measured in this process right after it. Runs with and without the speed
/// check, which loads the float model into ONNX Runtime as well (and so holds it in memory) to time it.
/// </summary>
public static partial class DecoderMemory
{
    /// <summary>Runs the CLI for INT4 and FP16 and prints a Markdown table.</summary>
    public static void Report(bool withSpeedCheck)
    {
        var shape = DecoderShape.OneAndHalfBillion();
        var model = DecoderSpeed.Write(shape);
        long floatBytes = ModelBytes(model);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Decoder {shape.Parameters / 1e9:F2} B parameters, {floatBytes / 1e9:F2} GB FP32; `dotnet quantize` per precision, peak resident memory from its summary"));
        Console.WriteLine("| precision | speed check | peak memory | × model size | CLI time | floor (read input + write output) | time / floor |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, arguments) in new (string, string[])[] { ("INT4", ["-p", "int4"]), ("FP16", ["-p", "fp16"]) })
        {
            foreach (bool speedCheck in withSpeedCheck ? new[] { false, true } : [false])
            {
                var output = Path.Combine(BenchmarkModels.Folder, "decoder-memory.onnx");
                var clock = Stopwatch.StartNew();
                var text = DecoderSpeed.RunCli([model, "-o", output, .. arguments, .. speedCheck ? Array.Empty<string>() : ["--no-speed-check"]]);
                double seconds = clock.Elapsed.TotalSeconds;
                var peak = Peak().Match(text);
                if (!peak.Success)
                {
                    throw new InvalidOperationException("The CLI printed no peak memory:\n" + text);
                }

                double peakBytes = double.Parse(peak.Groups["peak"].Value, CultureInfo.InvariantCulture) * Unit(peak.Groups["unit"].Value);
                double floor = Floor(model, ModelBytes(output));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {(speedCheck ? "on" : "off")} | {peakBytes / (1 << 30):F2} GiB | {peakBytes / floatBytes:F3} | {seconds:F1} s | {floor:F1} s | {seconds / floor:F2} |"));
            }
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

    private static double Unit(string unit) => unit switch
    {
        "KiB" => 1024,
        "MiB" => 1024 * 1024,
        "GiB" => 1024 * 1024 * 1024,
        _ => 1,
    };

    [GeneratedRegex(@"peak memory (?<peak>[\d.]+) (?<unit>\w+)")]
    private static partial Regex Peak();
}
