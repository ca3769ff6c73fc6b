using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Onnx;
using Quantize.Core.Passes.Int8Static;
using Quantize.Testing;

namespace Quantize.Benchmarks;

/// <summary>
/// Streaming calibration on real data (see <see cref="CalibrationSamples"/>), two measurements, each in a fresh
/// child process per row:
/// <list type="bullet">
/// <item>peak memory: ResNet-18 calibrated on N samples streamed from .npy files (the working-set high-water
/// mark, which BenchmarkDotNet cannot see), for each method and sample count;</item>
/// <item>time: calibration against plain float inference over the same samples, interleaved in blocks of 8
/// samples (plain runs of a block, then the calibrator on the same block), so a load change on a shared
/// machine hits both sides alike. Calibration runs the pre-processed model, as <c>CalibratedQuantizer</c> does;
/// inference runs the original model with default session options, batch 1, as an application would.</item>
/// </list>
/// </summary>
public static class CalibrationBenchmarks
{
    private const int Block = 8;

    /// <summary>Prints the memory table for <paramref name="counts"/>, then the time table.</summary>
    public static void Report(IReadOnlyList<int> counts, int timeSamples)
    {
        var folder = CalibrationSamples.ResNet18Folder(Math.Max(timeSamples, counts.Max()));
        Console.WriteLine($"Peak memory of streaming calibration, ResNet-18, samples from {folder}");
        Console.WriteLine("| method | samples | peak working set (MB) | calibration (s) |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var method in Enum.GetValues<CalibrationMethod>())
        {
            foreach (int count in counts)
            {
                Console.WriteLine(RunChild("memory", method.ToString(), count.ToString(CultureInfo.InvariantCulture), folder));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Calibration time vs plain float inference over the same samples (interleaved blocks of {Block})");
        Console.WriteLine("| model | method | samples | batch | inference (s) | calibration (s) | × inference | session setup: inference / calibration (s) | final ranges (s) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        var resnetFolder = CalibrationSamples.ResNet18Folder(Math.Max(timeSamples, counts.Max()));
        foreach (var model in new[] { "resnet18", "minilm" })
        {
            foreach (var method in Enum.GetValues<CalibrationMethod>())
            {
                Console.WriteLine(RunChild("time", model, method.ToString(), timeSamples.ToString(CultureInfo.InvariantCulture), resnetFolder));
            }
        }
    }

    /// <summary>A child: <c>memory method count folder</c> or <c>time model method count folder</c>.</summary>
    public static void Child(IReadOnlyList<string> args)
    {
        if (args[0] == "memory")
        {
            Memory(Enum.Parse<CalibrationMethod>(args[1]), int.Parse(args[2], CultureInfo.InvariantCulture), args[3]);
        }
        else
        {
            Time(args[1], Enum.Parse<CalibrationMethod>(args[2]), int.Parse(args[3], CultureInfo.InvariantCulture), args[4]);
        }
    }

    private static string RunChild(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        // The GC setting the CLI and the build worker run with (Quantize.Cli.csproj): without it the GC lets
        // each sample's freed large arrays (file bytes, tensor data) pile up longer, so the working set
        // drifts up with the sample count (+5 % from 50 to 200 samples) although nothing is retained.
        start.Environment["DOTNET_GCConserveMemory"] = "7";
        start.ArgumentList.Add(typeof(CalibrationBenchmarks).Assembly.Location);
        start.ArgumentList.Add("calibration-child");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEnd().Trim().Split('\n')[^1];
        child.WaitForExit();
        return child.ExitCode == 0 ? output : $"| {string.Join(" | ", arguments)} | child failed ({child.ExitCode}) |";
    }

    /// <summary>Calibrates the pre-processed ResNet-18 on the first <paramref name="count"/> files of <paramref name="folder"/>, streamed.</summary>
    private static void Memory(CalibrationMethod method, int count, string folder)
    {
        var path = RealModels.ResNet18Path;
        var model = StaticPreprocessor.Optimize(path, new Quantize.Core.StaticInt8Options());
        var clock = Stopwatch.StartNew();
        var outcome = ActivationCalibrator.Calibrate(model, path, new CalibrationDataOptions { Sources = [folder], MaxSamples = count }, new CalibrationOptions { Method = method });
        clock.Stop();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {method} | {outcome.SampleCount} | {self.PeakWorkingSet64 / 1e6:F0} | {clock.Elapsed.TotalSeconds:F1} |"));
    }

    private static void Time(string modelName, CalibrationMethod method, int count, string resnetFolder)
    {
        string path = modelName == "resnet18" ? RealModels.ResNet18Path : RealModels.MiniLmPath;
        var data = modelName == "resnet18"
            ? new CalibrationDataOptions { Sources = [resnetFolder], MaxSamples = count }
            : new CalibrationDataOptions { Sources = [CalibrationSamples.MiniLmText(count)], Text = new TextTokenization { VocabularyPath = RealModels.MiniLmVocabPath } };
        var preprocessed = StaticPreprocessor.Optimize(path, new Quantize.Core.StaticInt8Options());
        // Both sides get the same samples from memory: reading files is not what is compared.
        var samples = new CalibrationDataReader(preprocessed, data).Read().ToList();
        var inputNames = samples[0].Inputs.Keys.Order(StringComparer.Ordinal).ToArray();

        var setup = Stopwatch.StartNew();
        using var sessionOptions = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(path, sessionOptions);
        var inferenceSetup = setup.Elapsed;
        setup.Restart();
        using var calibrator = new StreamingCalibrator(preprocessed, path, new CalibrationOptions { Method = method });
        var calibrationSetup = setup.Elapsed;

        using var runOptions = new RunOptions();
        var outputNames = session.OutputNames.ToArray();
        var inference = TimeSpan.Zero;
        var calibration = TimeSpan.Zero;
        var clock = new Stopwatch();
        for (int start = 0; start < samples.Count; start += Block)
        {
            var block = samples.Skip(start).Take(Block).ToList();
            clock.Restart();
            foreach (var sample in block)
            {
                var values = inputNames.Select(n => sample.Inputs[n].ToOrtValue()).ToArray();
                using (var outputs = session.Run(runOptions, inputNames, values, outputNames))
                {
                }

                foreach (var value in values)
                {
                    value.Dispose();
                }
            }

            inference += clock.Elapsed;
            clock.Restart();
            foreach (var sample in block)
            {
                calibrator.Add(sample);
            }

            calibration += clock.Elapsed;
        }

        clock.Restart();
        var outcome = calibrator.Complete();
        var final = clock.Elapsed;
        calibration += final;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {modelName} | {method} | {outcome.SampleCount} | {calibrator.BatchSize} | {inference.TotalSeconds:F2} | {calibration.TotalSeconds:F2} | {calibration / inference:F2} | {inferenceSetup.TotalSeconds:F2} / {calibrationSetup.TotalSeconds:F2} | {final.TotalSeconds:F2} |"));
    }
}
