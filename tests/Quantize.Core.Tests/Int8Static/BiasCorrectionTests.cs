using Google.Protobuf;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Onnx;
using Quantize.Core.Tests.Calibration;
using Quantize.Core.Tests.Evaluation;
using Xunit.Abstractions;

namespace Quantize.Core.Tests.Int8Static;

/// <summary>
/// Empirical bias correction, held to its definition: after it, the quantized model's output has no mean error per
/// channel over the calibration samples (measured here with ONNX Runtime on both models, not with the pass's own
/// statistics), and each scope adjusts exactly the biases it names.
/// </summary>
public class BiasCorrectionTests(ITestOutputHelper output)
{
    private static readonly long[] Shape = [1, 8, 12, 12];
    private const int Positions = 12 * 12;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void After_correction_the_output_has_no_mean_error_per_channel_over_the_calibration_samples(bool perChannel)
    {
        var (model, data, samples) = Fixture($"bias-correction-{perChannel}");

        var before = MeanError(model, Quantize(model, data, BiasCorrectionScope.None, perChannel), samples);
        var after = MeanError(model, Quantize(model, data, BiasCorrectionScope.All, perChannel), samples);

        double worstBefore = before.Max(Math.Abs);
        double worstAfter = after.Max(Math.Abs);
        output.WriteLine($"per-channel weights {perChannel}: largest |mean error| of a channel {worstBefore:G4} without, {worstAfter:G4} with");
        Assert.True(worstAfter <= 0.25 * worstBefore, $"{worstAfter:G4} vs {worstBefore:G4}");
        // What is left is the final output's own rounding, well under one step of its 8-bit range.
        double step = OutputStep(Quantize(model, data, BiasCorrectionScope.All, perChannel));
        Assert.True(worstAfter <= 0.25 * step, $"{worstAfter:G4} vs a step of {step:G4}");
    }

    [Fact]
    public void Each_scope_adjusts_only_the_biases_it_names_and_the_default_leaves_models_without_depthwise_convs_alone()
    {
        var (model, data, _) = Fixture("bias-correction-scopes");
        var none = Biases(Quantize(model, data, BiasCorrectionScope.None, perChannel: false));
        var depthwise = Biases(Quantize(model, data, BiasCorrectionScope.Depthwise, perChannel: false));
        var all = Biases(Quantize(model, data, BiasCorrectionScope.All, perChannel: false));

        Assert.Equal(["depthwise"], Changed(none, depthwise));
        Assert.Equal(["depthwise", "expand", "project"], Changed(none, all));
        Assert.Equal(BiasCorrectionScope.Depthwise, new StaticInt8Options().BiasCorrection);

        // ConvRelu has no depthwise Conv: the default costs nothing there and writes the same model as None.
        var folder = RealModels.ScratchFolder("bias-correction-plain");
        var plain = Path.Combine(folder, "plain.onnx");
        File.WriteAllBytes(plain, TestModelCatalog.ConvRelu().ToByteArray());
        var plainData = Directory.CreateDirectory(Path.Combine(folder, "data")).FullName;
        for (int i = 0; i < 8; i++)
        {
            File.WriteAllBytes(Path.Combine(plainData, $"s{i}.npy"), NpyWriter.Floats(CalibrationFixtures.Gaussian(3 * 8 * 8, seed: 400 + i), [1, 3, 8, 8]));
        }

        var (byDefault, defaultNotes) = QuantizeWithNotes(plain, plainData, new StaticInt8Options());
        var (uncorrected, _) = QuantizeWithNotes(plain, plainData, new StaticInt8Options { BiasCorrection = BiasCorrectionScope.None });
        Assert.DoesNotContain(defaultNotes, n => n.Contains("Bias correction", StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(uncorrected), File.ReadAllBytes(byDefault));
    }

    private static (string Model, string Data, List<float[]> Samples) Fixture(string name)
    {
        var folder = RealModels.ScratchFolder(name);
        var model = Path.Combine(folder, "block.onnx");
        File.WriteAllBytes(model, TestModelCatalog.DepthwiseBlock().ToByteArray());
        var data = Directory.CreateDirectory(Path.Combine(folder, "data")).FullName;
        var samples = new List<float[]>();
        for (int i = 0; i < 16; i++)
        {
            var values = CalibrationFixtures.Gaussian(8 * Positions, seed: 300 + i, mean: 0.5, sd: 1);
            samples.Add(values);
            File.WriteAllBytes(Path.Combine(data, $"s{i:D2}.npy"), NpyWriter.Floats(values, Shape));
        }

        return (model, data, samples);
    }

    private static string Quantize(string model, string data, BiasCorrectionScope scope, bool perChannel) =>
        QuantizeWithNotes(model, data, new StaticInt8Options { BiasCorrection = scope, PerChannel = perChannel }).Path;

    private static (string Path, List<string> Notes) QuantizeWithNotes(string model, string data, StaticInt8Options options)
    {
        var path = Path.Combine(Path.GetDirectoryName(model)!, $"{Path.GetFileNameWithoutExtension(model)}.{options.BiasCorrection}.{options.PerChannel}.onnx");
        var result = CheckedRun.Calibrated(model, path, new QuantizeOptions { Precision = Precision.Int8, Static = options },
            new CalibrationDataOptions { Sources = [data] }, new CalibrationOptions());
        return (path, result.Notes);
    }

    /// <summary>The mean of (quantized − float) y per output channel over <paramref name="samples"/>.</summary>
    private static double[] MeanError(string model, string quantized, List<float[]> samples)
    {
        using var floatSession = OrtRunner.Open(model);
        using var quantizedSession = OrtRunner.Open(quantized);
        var sums = new double[Shape[1]];
        foreach (var sample in samples)
        {
            var inputs = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(sample, Shape) };
            var expected = OrtRunner.Run(floatSession, inputs)["y"];
            var actual = OrtRunner.Run(quantizedSession, inputs)["y"];
            for (int i = 0; i < expected.Length; i++)
            {
                sums[i / Positions] += actual[i] - expected[i];
            }
        }

        return [.. sums.Select(s => s / (Positions * samples.Count))];
    }

    /// <summary>The quantization step of the graph output y.</summary>
    private static double OutputStep(string quantized)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(quantized));
        var dequantize = model.Graph.Node.Single(n => n.OpType == "DequantizeLinear" && n.Output[0] == "y");
        return model.Graph.Initializer.Single(t => t.Name == dequantize.Input[1]).ReadFloats()[0];
    }

    /// <summary>Each Conv's int32 bias values, by node name.</summary>
    private static Dictionary<string, ByteString> Biases(string quantized)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(quantized));
        var initializers = model.Graph.Initializer.ToDictionary(t => t.Name);
        var producers = model.Graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        return model.Graph.Node.Where(n => n.OpType == "Conv")
            .ToDictionary(n => n.Name, n => initializers[producers[n.Input[2]].Input[0]].RawData);
    }

    private static List<string> Changed(Dictionary<string, ByteString> before, Dictionary<string, ByteString> after) =>
        [.. before.Keys.Where(k => !before[k].Equals(after[k])).Order(StringComparer.Ordinal)];
}
