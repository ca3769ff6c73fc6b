using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
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
public class StaticInt8LatencyBenchmarks
{
    private InferenceSession? _session;
    private OrtValue[] _inputs = [];
    private string[] _inputNames = [];
    private RunOptions? _runOptions;

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
            CalibratedQuantizer.Quantize(floatPath, path, new QuantizeOptions { Precision = Precision.Int8 }, calibration, new CalibrationOptions());
        }

        _session = new InferenceSession(path);
        var (model, _) = Core.Onnx.ModelReader.Load(floatPath);
        // One held-out sample: the photo or sentence right after the calibration set.
        var sampleSource = Model == "ResNet18"
            ? calibration with { Sources = [photos[1]] }
            : calibration with { Sources = [SentencesFile(offset: 30)], MaxSamples = 1 };
        var sample = new CalibrationDataReader(model, sampleSource).Read().First();
        _inputNames = [.. sample.Inputs.Keys.Order(StringComparer.Ordinal)];
        _inputs = [.. _inputNames.Select(name => ToOrtValue(sample.Inputs[name]))];
        _runOptions = new RunOptions();
    }

    [Benchmark]
    public int Run()
    {
        using var outputs = _session!.Run(_runOptions, _inputNames, _inputs, _session.OutputNames);
        return outputs.Count;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var input in _inputs)
        {
            input.Dispose();
        }

        _runOptions?.Dispose();
        _session?.Dispose();
    }

    private static OrtValue ToOrtValue(CalibrationTensor tensor)
    {
        long[] shape = [.. tensor.Shape];
        return tensor.ElementType == Core.Onnx.TensorProto.Types.DataType.Float
            ? OrtValue.CreateTensorValueFromMemory(tensor.FloatSpan.ToArray(), shape)
            : OrtValue.CreateTensorValueFromMemory(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(tensor.Data.Span).ToArray(), shape);
    }

    private static string SentencesFile(int offset = 0)
    {
        var path = Path.Combine(BenchmarkModels.Folder, $"sentences-{offset}.txt");
        File.WriteAllLines(path, Sentences.All.Skip(offset));
        return path;
    }
}
