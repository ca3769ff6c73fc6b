using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Onnx;
using Quantize.Testing;

namespace Quantize.Benchmarks;

/// <summary>
/// Streaming calibration of ResNet-18: peak memory with few vs many samples (each count in a fresh child
/// process, whose peak working set is the high-water mark BenchmarkDotNet cannot see) and calibration time
/// against plain float inference over the same samples. The samples are seeded pixel-like tensors: what is
/// measured is the cost of observing every activation, which does not depend on the pictures.
/// </summary>
public static class CalibrationBenchmarks
{
    /// <summary>Runs one child per (method, count) and prints a Markdown table.</summary>
    public static void Report(IReadOnlyList<int> counts)
    {
        Console.WriteLine("Streaming calibration of ResNet-18 (one child process per row)");
        Console.WriteLine("| method | samples | peak working set (MB) | managed after (MB) | inference (s) | calibration (s) | × inference |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var method in Enum.GetValues<CalibrationMethod>())
        {
            foreach (int count in counts)
            {
                var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
                foreach (var argument in new[] { typeof(CalibrationBenchmarks).Assembly.Location, "calibration-child", method.ToString(), count.ToString(CultureInfo.InvariantCulture) })
                {
                    start.ArgumentList.Add(argument);
                }

                using var child = Process.Start(start)!;
                var line = child.StandardOutput.ReadToEnd().Trim().Split('\n')[^1];
                child.WaitForExit();
                Console.WriteLine(child.ExitCode == 0 ? line : $"| {method} | {count} | child failed ({child.ExitCode}) | | | | |");
            }
        }
    }

    /// <summary>The child: plain inference over the samples, then calibration, then its own peak memory.</summary>
    public static void Child(CalibrationMethod method, int count)
    {
        var path = RealModels.ResNet18Path;
        var (model, _) = ModelReader.Load(path);
        var input = ModelInput.Of(model)[0];

        var inference = Stopwatch.StartNew();
        using (var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR })
        using (var session = new InferenceSession(path, options))
        {
            foreach (var sample in Samples(input, count))
            {
                using var value = OrtValue.CreateTensorValueFromMemory(sample.Inputs[input.Name].FloatSpan.ToArray(), [.. sample.Inputs[input.Name].Shape]);
                using var runOptions = new RunOptions(); // not inline: it must outlive the native Run
                using var outputs = session.Run(runOptions, [input.Name], [value], session.OutputNames);
            }
        }

        inference.Stop();
        var calibration = Stopwatch.StartNew();
        var outcome = ActivationCalibrator.Calibrate(model, path, Samples(input, count), new CalibrationOptions { Method = method });
        calibration.Stop();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {method} | {outcome.SampleCount} | {self.PeakWorkingSet64 / 1e6:F0} | {GC.GetTotalMemory(true) / 1e6:F0} | {inference.Elapsed.TotalSeconds:F1} | {calibration.Elapsed.TotalSeconds:F1} | {calibration.Elapsed / inference.Elapsed:F2} |"));
    }

    private static IEnumerable<CalibrationSample> Samples(ModelInput input, int count)
    {
        var shape = input.Dims!.Select(d => d ?? 1).ToArray();
        int elements = (int)shape.Aggregate(1L, (a, d) => a * d);
        for (int i = 0; i < count; i++)
        {
            var random = new Random(i);
            var values = new float[elements];
            for (int k = 0; k < elements; k++)
            {
                values[k] = (float)((random.NextDouble() - 0.45) * 4);
            }

            yield return new CalibrationSample($"sample{i}", new Dictionary<string, CalibrationTensor> { [input.Name] = CalibrationTensor.FromFloats(values, shape) });
        }
    }
}
