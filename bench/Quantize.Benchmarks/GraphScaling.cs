using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Quantize.Core;
using Quantize.Testing.TestModels;

namespace Quantize.Benchmarks;

/// <summary>
/// `graph-scaling [sizes...]`: FP16 on chains of 10k, 50k and 100k nodes (<see cref="TestModelCatalog.Chain"/>), the
/// engine's own work (read, type inference, pass, write) timed apart from ONNX Runtime's load of the result
/// (verification), reported as seconds per 10k nodes: a linear engine keeps that figure flat. ONNX Runtime's load of
/// an FP16 chain is itself far from linear (it inserts a Cast pair around every node without a float16 CPU kernel:
/// 4.4 s at 10k nodes, 160 s at 50k), so it is timed only up to <see cref="MaxLoadNodes"/> nodes.
/// </summary>
internal static class GraphScaling
{
    private const int MaxLoadNodes = 20_000;

    public static void Report(IReadOnlyList<int> sizes)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"quantize-graph-scaling-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        try
        {
            Console.WriteLine("| nodes | engine (no verify) | per 10k nodes | ONNX Runtime load of the FP16 result | per 10k nodes |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (var nodes in sizes)
            {
                var input = Path.Combine(folder, $"chain{nodes}.onnx");
                File.WriteAllBytes(input, TestModelCatalog.Chain(nodes).ToByteArray());
                var output = Path.Combine(folder, $"chain{nodes}.fp16.onnx");
                var clock = Stopwatch.StartNew();
                QuantizeEngine.Quantize(input, output, new QuantizeOptions { Precision = Precision.Fp16 }, verifyOutput: false);
                var engine = clock.Elapsed;
                if (nodes > MaxLoadNodes)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {nodes} | {engine.TotalSeconds:0.00} s | {engine.TotalSeconds * 10_000 / nodes:0.00} s | (not timed) | |"));
                    continue;
                }

                clock.Restart();
                using (var options = new Microsoft.ML.OnnxRuntime.SessionOptions { GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL })
                {
                    options.AddSessionConfigEntry("session.disable_prepacking", "1");
                    using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(output, options);
                }

                var load = clock.Elapsed;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {nodes} | {engine.TotalSeconds:0.00} s | {engine.TotalSeconds * 10_000 / nodes:0.00} s | {load.TotalSeconds:0.00} s | {load.TotalSeconds * 10_000 / nodes:0.00} s |"));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
