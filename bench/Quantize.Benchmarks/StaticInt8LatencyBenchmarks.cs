using BenchmarkDotNet.Attributes;
using Quantize.Core;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Testing;

namespace Quantize.Benchmarks;

/// <summary>
/// CPU latency of the float model against its static INT8 form, batch 1, default session options: ResNet-18
/// on one 224×224 photo (calibrated on nine other photos) and MiniLM on one sentence (calibrated on 30
/// sentences). Compare the two variants of the same model.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class StaticInt8LatencyBenchmarks : SessionLatencyBenchmark
{
    [Params("ResNet18", "MiniLm")]
    public string Model { get; set; } = "ResNet18";

    [Params("Fp32", "Int8Static")]
    public string Variant { get; set; } = "Fp32";

    [GlobalSetup]
    public void Setup()
    {
        var photos = RealPhotos.All;
        string floatPath = Model == "ResNet18" ? RealModels.ResNet18Path : RealModels.MiniLmPath;
        var calibration = Model == "ResNet18"
            ? new CalibrationDataOptions { Sources = [.. photos.Where((_, i) => i % 2 == 0)], Image = ResNet18Preprocessing.MlNet }
            : new CalibrationDataOptions { Sources = [SentencesFile()], MaxSamples = 30, Text = new TextTokenization { VocabularyPath = RealModels.MiniLmVocabPath } };
        var path = floatPath;
        if (Variant == "Int8Static")
        {
            path = Path.Combine(BenchmarkModels.Folder, $"{Model}.int8-static.onnx");
            Quantizer.Run(new QuantizeJob { InputPath = floatPath, OutputPath = path, Options = new QuantizeOptions { Precision = Precision.Int8 }, Calibration = new CalibrationSetup(calibration, new CalibrationOptions()) });
        }

        var (model, _) = Core.Onnx.ModelReader.Load(floatPath);
        // One held-out sample: the photo or sentence right after the calibration set.
        var sampleSource = Model == "ResNet18"
            ? calibration with { Sources = [photos[1]] }
            : calibration with { Sources = [SentencesFile(offset: 30)], MaxSamples = 1 };
        var sample = new CalibrationDataReader(model, sampleSource).Read().First();
        string[] names = [.. sample.Inputs.Keys.Order(StringComparer.Ordinal)];
        Open(path, names, [.. names.Select(name => sample.Inputs[name].ToOrtValue())]);
    }

    private static string SentencesFile(int offset = 0)
    {
        var path = Path.Combine(BenchmarkModels.Folder, $"sentences-{offset}.txt");
        File.WriteAllLines(path, Sentences.All.Skip(offset));
        return path;
    }
}
