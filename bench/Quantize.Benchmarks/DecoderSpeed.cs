using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Quantize.Core;
using Quantize.Core.Onnx;
using Quantize.Testing.TestModels;

namespace Quantize.Benchmarks;

/// <summary>
/// Decode tokens per second and prefill latency of a ≥ 500 M-parameter Llama-style decoder (Qwen2.5-0.5B's widths:
/// D 896, 14 query and 2 key/value heads, SwiGLU 4864, vocabulary 151 936, tied lm_head; 25 layers by default, about
/// 509 M parameters, 2.0 GB FP32 written with external data), quantized by the real CLI in a fresh process per
/// precision. The CLI's own speed check times float against quantized, interleaved, on the same machine in the same
/// process (prefill at --prompt-length, one decode step at --decode-context); this prints its figures with the CLI's
/// time and peak memory. Weights are seeded uniform: the speed is a property of the shapes, not the values.
/// </summary>
public static partial class DecoderSpeed
{
    /// <summary>Writes the decoder (model file + one external-data file) unless it is already there; returns its path.</summary>
    public static string Write(DecoderShape shape)
    {
        var path = Path.Combine(BenchmarkModels.Folder, string.Create(CultureInfo.InvariantCulture, $"decoder-{shape.Parameters / 1_000_000}m.onnx"));
        if (!File.Exists(path))
        {
            var clock = Stopwatch.StartNew();
            ModelWriter.Save(DecoderTestModels.Llama(shape), path, ExternalDataMode.Always);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {path} ({shape.Parameters / 1e6:F0} M parameters) in {clock.Elapsed.TotalSeconds:F0} s"));
        }

        return path;
    }

    /// <summary>Runs the CLI for each precision and prints a Markdown table.</summary>
    public static void Report(int layers, int promptLength, int context)
    {
        var shape = DecoderShape.HalfBillion(layers);
        var model = Write(shape);
        long floatBytes = new FileInfo(model).Length + new FileInfo(model + ".data").Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Decoder {shape.Parameters / 1e6:F0} M parameters, {floatBytes / 1e9:F2} GB FP32; prefill {promptLength} tokens, decode at context {context}; `dotnet quantize` per precision, its speed check interleaving float and quantized"));
        Console.WriteLine("| precision | size vs FP32 | prefill float / quantized (ms) | prefill speedup | decode float / quantized (tokens/s) | decode speedup | CLI time | peak memory |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (name, arguments) in new (string, string[])[]
        {
            ("INT4 (default: blocks of 32 for decoders)", ["-p", "int4"]),
            ("INT4, blocks of 128", ["-p", "int4", "--block-size", "128"]),
            ("INT4, 8-bit lm_head", ["-p", "int4", "--override", "/lm_head/MatMul=Int8"]),
            ("INT4, every MatMul at 8 bits", ["-p", "int4", "--override", "MatMul=Int8"]),
            ("INT8 dynamic", ["-p", "int8"]),
        })
        {
            var output = Path.Combine(BenchmarkModels.Folder, "decoder-quantized.onnx");
            var text = RunCli([model, "-o", output, .. arguments, "--prompt-length", Invariant(promptLength), "--decode-context", Invariant(context)]);
            var speed = SpeedLine().Match(text);
            var time = TimeAndPeak().Match(text);
            if (!speed.Success || !time.Success)
            {
                throw new InvalidOperationException("The CLI printed no decoder speed line:\n" + text);
            }

            long quantizedBytes = new FileInfo(output).Length + (File.Exists(output + ".data") ? new FileInfo(output + ".data").Length : 0);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {quantizedBytes / (double)floatBytes:F3} | {speed.Groups["pf"].Value} / {speed.Groups["pq"].Value} | {speed.Groups["ps"].Value}x | {speed.Groups["df"].Value} / {speed.Groups["dq"].Value} | {speed.Groups["ds"].Value}x | {time.Groups["time"].Value.Trim()} | {time.Groups["peak"].Value} {time.Groups["unit"].Value} |"));
        }
    }

    /// <summary>Runs the CLI in a fresh process; returns what it printed, or throws when it failed.</summary>
    internal static string RunCli(string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Quantize.Cli.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        return child.ExitCode == 0 ? output + stderr.Result : throw new InvalidOperationException($"CLI failed ({child.ExitCode}): {output}{stderr.Result}");
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"prefill of \d+ tokens float (?<pf>[\d.]+) ms, quantized (?<pq>[\d.]+) ms \((?<ps>[\d.]+)x\); decode at context \d+ float (?<df>[\d.]+) tokens/s, quantized (?<dq>[\d.]+) tokens/s \((?<ds>[\d.]+)x\)")]
    private static partial Regex SpeedLine();

    [GeneratedRegex(@"Time: (?<time>[^,(]+).*peak memory (?<peak>[\d.]+) (?<unit>\w+)")]
    private static partial Regex TimeAndPeak();
}
