using System.Diagnostics;
using System.Globalization;
using Quantize.Core;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Evaluation;
using Quantize.Core.Onnx;
using Quantize.Testing;
using Quantize.Testing.TestModels;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;
using static Quantize.Benchmarks.BenchmarkSteps;

namespace Quantize.Benchmarks;

/// <summary>
/// What the quality check costs and how stable its speed verdict is. <c>quality-cost</c>: MiniLM INT8 dynamic
/// quantized alone vs quantized with evaluation on 50 real sentences plus the speed check (the issue's goal:
/// the check adds at most 2× the quantization time). <c>speed-verdicts</c>: the speed check repeated on fresh
/// sessions for a pair with a large difference (MiniLM float vs INT8) and a pair with a modest one built to
/// differ by 20 % of its work, counting how often the faster/slower verdict agrees.
/// </summary>
public static class QualityCheckBenchmarks
{
    private static readonly QuantizeOptions Int8 = new() { Precision = Precision.Int8 };

    /// <summary>Times <paramref name="rounds"/> rounds of plain vs checked quantization, alternating which goes first.</summary>
    public static void Cost(int rounds)
    {
        var sentences = Path.Combine(BenchmarkModels.Folder, "validation-50.txt");
        File.WriteAllLines(sentences, Sentences.All.Take(50));
        var validation = new CalibrationDataOptions { Sources = [sentences], Text = new TextTokenization { VocabularyPath = RealModels.MiniLmVocabPath } };
        var plainOut = Path.Combine(BenchmarkModels.Folder, "quality-plain.onnx");
        var checkedOut = Path.Combine(BenchmarkModels.Folder, "quality-checked.onnx");
        var evalOnlyOut = Path.Combine(BenchmarkModels.Folder, "quality-eval-only.onnx");
        var full = new QualityCheckOptions { ValidationData = validation };
        var evalOnly = full with { SpeedCheck = false };

        var plain = new List<double>();
        var check = new List<double>();
        var evaluation = new List<double>();
        QuantizeEngine.Quantize(BenchmarkModels.MiniLm, plainOut, Int8); // warm-up: JIT, ORT native load
        QualityReport? last = null;
        Rotated(rounds,
        [
            () => plain.Add(Time(() => QuantizeEngine.Quantize(BenchmarkModels.MiniLm, plainOut, Int8))),
            () => check.Add(Time(() => last = Checked(checkedOut, full).Quality)),
            () => evaluation.Add(Time(() => Checked(evalOnlyOut, evalOnly))),
        ]);

        double quantize = Median(plain), total = Median(check), evalTotal = Median(evaluation);
        Console.WriteLine($"MiniLM INT8 dynamic, 50 validation sentences, {rounds} rounds (order rotated); {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        Console.WriteLine("| step | median (s) |");
        Console.WriteLine("|---|---|");
        Console.WriteLine(Invariant($"| quantize alone (QuantizeEngine, with its ORT load check) | {quantize:F2} |"));
        Console.WriteLine(Invariant($"| quantize + evaluation (no speed check) | {evalTotal:F2} |"));
        Console.WriteLine(Invariant($"| quantize + evaluation + speed check (CheckedQuantizer) | {total:F2} |"));
        Console.WriteLine(Invariant($"| added by the quality check | {total - quantize:F2} ({(total - quantize) / quantize:F2}× quantization) |"));
        if (last is { Evaluation: { } e, Speed: { } s })
        {
            Console.WriteLine(Invariant($"last run: {e.DataSource}; worst cosine {e.WorstCosine:F5}; float {s.FloatMedianMs:F2} ms, int8 {s.QuantizedMedianMs:F2} ms, {s.Runs} runs each, speedup {s.Speedup:F2}x"));
        }
    }

    /// <summary>
    /// `guard-cost [rounds] [mlsd|cli]`: what the default collapse guard adds to static INT8, the comparison with float on the
    /// held-out fifth of the calibration data, against the same calibrated quantization without it, rounds interleaved,
    /// both without the speed check so only the guard's work differs. MiniLM: 30 calibration sentences. MLSD large: the
    /// 18 photos, fed as its first ops expect; the guard refuses MLSD (its scores fall below 0.90), so the passing
    /// comparison is timed through an explicit gate it meets (MinCosine 0.3), which takes the guard's place on the same
    /// held-out photos: the work of a guard that passes.
    /// </summary>
    public static void GuardCost(int rounds, bool mlsd, bool cli)
    {
        if (cli)
        {
            GuardCostCli(rounds);
            return;
        }

        string model;
        CalibrationSetup calibration;
        var guarded = new QualityCheckOptions { Evaluate = true, SpeedCheck = false, LayerChart = false };
        if (mlsd)
        {
            model = NpmModels.MlsdLarge;
            calibration = new CalibrationSetup(
                new CalibrationDataOptions { Sources = [.. RealPhotos.All], Image = new ImagePreprocessing { Scale = 1f, Mean = [0f, 0f, 0f, 254f], Std = [1f] } },
                new CalibrationOptions());
            guarded = guarded with { Gates = new QualityGates { MinCosine = 0.3 } };
        }
        else
        {
            model = BenchmarkModels.MiniLm;
            var sentences = Path.Combine(BenchmarkModels.Folder, "guard-30.txt");
            File.WriteAllLines(sentences, Sentences.All.Take(30));
            calibration = new CalibrationSetup(
                new CalibrationDataOptions { Sources = [sentences], Text = new TextTokenization { VocabularyPath = RealModels.MiniLmVocabPath } },
                new CalibrationOptions());
        }

        var off = new QualityCheckOptions { Evaluate = false, SpeedCheck = false, CollapseGuard = false };
        var offOut = Path.Combine(BenchmarkModels.Folder, "guard-off.onnx");
        var onOut = Path.Combine(BenchmarkModels.Folder, "guard-on.onnx");
        Checked(model, offOut, off, calibration); // warm-up: JIT, ORT native load

        // The guard holds out a fifth of the data, so turning it off also calibrates on more samples: the same
        // calibration part without the guard isolates what the comparison itself costs.
        var samePart = calibration with { Data = calibration.Data with { Split = new SampleSplit(SampleSplit.DefaultEvery, SplitPart.Calibration) } };
        var without = new List<double>();
        var withoutSamePart = new List<double>();
        var with = new List<double>();
        QualityReport? last = null;
        Rotated(rounds,
        [
            () => without.Add(Time(() => Checked(model, offOut, off, calibration))),
            () => withoutSamePart.Add(Time(() => Checked(model, offOut, off, samePart))),
            () => with.Add(Time(() => last = Checked(model, onOut, guarded, calibration).Quality)),
        ]);

        double plain = Median(without), part = Median(withoutSamePart), guard = Median(with);
        Console.WriteLine($"{(mlsd ? "MLSD large INT8 static, 18 photos" : "MiniLM INT8 static, 30 calibration sentences")}, {rounds} rounds (order rotated); {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        Console.WriteLine("| step | median (s) |");
        Console.WriteLine("|---|---|");
        Console.WriteLine(Invariant($"| calibrate (all samples) + quantize, guard off | {plain:F2} |"));
        Console.WriteLine(Invariant($"| calibrate (the guard's calibration part) + quantize, guard off | {part:F2} |"));
        Console.WriteLine(Invariant($"| calibrate + quantize + {(mlsd ? "held-out comparison (passing gate)" : "collapse guard (held-out comparison)")} | {guard:F2} |"));
        Console.WriteLine(Invariant($"| added by the comparison (same calibration part) | {guard - part:F2} ({100 * (guard - part) / part:F1} % of the quantization) |"));
        Console.WriteLine(Invariant($"| guard on vs off as a user switches it (off calibrates on all samples) | {guard - plain:F2} ({100 * (guard - plain) / plain:F1} %) |"));
        if (last?.Evaluation is { } e)
        {
            Console.WriteLine(Invariant($"last run: {e.DataSource}; worst cosine {e.WorstCosine:F4}"));
        }
    }

    /// <summary>
    /// `guard-cost [rounds] cli`: the same three steps on MiniLM as a user runs them, one `dotnet quantize` process
    /// each (process start, JIT and ONNX Runtime's initialization included, as in every CLI run and build worker).
    /// </summary>
    private static void GuardCostCli(int rounds)
    {
        var all = Sentences.All.Take(30).ToList();
        var sentences = Path.Combine(BenchmarkModels.Folder, "guard-30.txt");
        var calibrationPart = Path.Combine(BenchmarkModels.Folder, "guard-24.txt");
        File.WriteAllLines(sentences, all);
        // The guard's split holds out positions 0, 5, 10...: the other 24 are what it calibrates on.
        File.WriteAllLines(calibrationPart, all.Where((_, i) => i % SampleSplit.DefaultEvery != 0));
        var output = Path.Combine(BenchmarkModels.Folder, "guard-cli.onnx");
        string[] Args(string data, bool guard) =>
            [BenchmarkModels.MiniLm, "-o", output, "-p", "int8", "--calibration-data", data, "--vocab", RealModels.MiniLmVocabPath, "--no-speed-check", "--collapse-guard", guard ? "true" : "false"];

        var steps = new (string Name, string[] Arguments, List<double> Seconds)[]
        {
            ("guard off, 30 sentences", Args(sentences, guard: false), []),
            ("guard off, the guard's 24", Args(calibrationPart, guard: false), []),
            ("guard on (24 calibrate, 6 compared)", Args(sentences, guard: true), []),
        };
        DecoderSpeed.RunCli(steps[0].Arguments); // warm-up: the file cache
        Rotated(rounds, [.. steps.Select(step => (Action)(() => step.Seconds.Add(Time(() => DecoderSpeed.RunCli(step.Arguments)))))]);

        double plain = Median(steps[0].Seconds), part = Median(steps[1].Seconds), guard = Median(steps[2].Seconds);
        Console.WriteLine($"MiniLM INT8 static through the CLI, {rounds} rounds (order rotated); {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        Console.WriteLine("| step | median wall (s) |");
        Console.WriteLine("|---|---|");
        foreach (var step in steps)
        {
            Console.WriteLine(Invariant($"| {step.Name} | {Median(step.Seconds):F2} |"));
        }

        Console.WriteLine(Invariant($"| added by the comparison (same calibration part) | {guard - part:F2} ({100 * (guard - part) / part:F1} %) |"));
        Console.WriteLine(Invariant($"| guard on vs off as a user switches it | {guard - plain:F2} ({100 * (guard - plain) / plain:F1} %) |"));
    }

    /// <summary>
    /// Runs each way of measuring speed <paramref name="repeats"/> times on each pair, each time on fresh sessions:
    /// the dedicated check (first sample repeated, <paramref name="budget"/>) and the timings of a 50-sample
    /// evaluation (what the quality check uses when there are at least <see cref="RunTimings.EnoughForSpeed"/> samples).
    /// </summary>
    public static void Verdicts(int repeats, TimeSpan budget)
    {
        var miniLmInt8 = Path.Combine(BenchmarkModels.Folder, "verdict-minilm.int8.onnx");
        QuantizeEngine.Quantize(BenchmarkModels.MiniLm, miniLmInt8, Int8);
        var sentences = Path.Combine(BenchmarkModels.Folder, "verdict-sentences.txt");
        File.WriteAllLines(sentences, Sentences.All.Take(50));
        var (miniLmModel, _) = ModelReader.Load(BenchmarkModels.MiniLm);
        List<CalibrationSample> miniLmSamples = [.. new CalibrationDataReader(miniLmModel, new CalibrationDataOptions
        {
            Sources = [sentences],
            Text = new TextTokenization { VocabularyPath = RealModels.MiniLmVocabPath },
        }).Read()];
        miniLmModel = null;

        var ten = WriteChain(10);
        var twelve = WriteChain(12);
        var random = new Random(3);
        List<CalibrationSample> chainSamples = [.. Enumerable.Range(0, 50).Select(i => new CalibrationSample($"random-{i}", new Dictionary<string, CalibrationTensor>
        {
            ["x"] = CalibrationTensor.FromFloats([.. Enumerable.Range(0, 32 * 512).Select(_ => (float)random.NextDouble())], 32, 512),
        }))];

        Console.WriteLine($"Speed-check verdicts, {repeats} checks per pair and method on fresh sessions; dedicated check budget {budget.TotalSeconds:0.#} s; {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        Console.WriteLine("| pair | method | expected | verdicts 'faster' | verdicts 'slower' | speedups (min / median / max) | seconds per check |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        (string Name, string Expected, string Float, string Quantized, List<CalibrationSample> Samples)[] pairs =
        [
            ("MiniLM float vs INT8 dynamic", "faster", BenchmarkModels.MiniLm, miniLmInt8, miniLmSamples),
            ("10 vs 12 MatMul layers (+20 % work)", "slower", ten, twelve, chainSamples),
            ("12 vs 10 MatMul layers (−17 % work)", "faster", twelve, ten, chainSamples),
        ];
        foreach (var (name, expected, floatPath, quantizedPath, samples) in pairs)
        {
            Report(name, "dedicated, first sample", expected, floatPath, quantizedPath, repeats, pair => SpeedCheck.Measure(pair, samples[0].Inputs, budget));
            Report(name, "50-sample evaluation", expected, floatPath, quantizedPath, repeats, pair =>
            {
                var timings = new RunTimings();
                ModelEvaluator.Evaluate(pair, samples, "bench", timings: timings);
                return timings.ToSpeedResult();
            });
        }
    }

    private static void Report(string name, string method, string expected, string floatPath, string quantizedPath, int repeats, Func<ModelPair, SpeedResult> measure)
    {
        var speedups = new List<double>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++)
        {
            using var pair = ModelPair.Open(floatPath, quantizedPath);
            speedups.Add(measure(pair).Speedup);
        }

        int faster = speedups.Count(s => s >= 1);
        Console.WriteLine(Invariant($"| {name} | {method} | {expected} | {faster} | {repeats - faster} | {speedups.Min():F3} / {Median(speedups):F3} / {speedups.Max():F3} | {clock.Elapsed.TotalSeconds / repeats:F2} |"));
    }

    /// <summary>x[32,512] through <paramref name="layers"/> MatMul+Relu layers of 512×512: the work grows linearly with the layer count.</summary>
    private static string WriteChain(int layers)
    {
        var path = Path.Combine(BenchmarkModels.Folder, $"verdict-chain-{layers}.onnx");
        var b = new ModelBuilder(opset: 17, seed: 7);
        var h = b.Input("x", DataType.Float, 32, 512);
        for (int i = 0; i < layers; i++)
        {
            h = b.Node("MatMul", [h, b.RandomInitializer($"w{i}", 0.05f, 512, 512)], $"fc{i}");
            h = b.Node("Relu", [h], $"relu{i}", i == layers - 1 ? "y" : null);
        }

        b.Output("y", DataType.Float, 32, 512);
        ModelWriter.Save(b.Model, path);
        return path;
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>MiniLM to INT8 through the engine's front door, with a quality check.</summary>
    private static QuantizeResult Checked(string output, QualityCheckOptions quality, CalibrationSetup? calibration = null) =>
        Checked(BenchmarkModels.MiniLm, output, quality, calibration);

    private static QuantizeResult Checked(string model, string output, QualityCheckOptions quality, CalibrationSetup? calibration = null) =>
        Quantizer.Run(new QuantizeJob { InputPath = model, OutputPath = output, Options = Int8, Quality = quality, Calibration = calibration });
}
