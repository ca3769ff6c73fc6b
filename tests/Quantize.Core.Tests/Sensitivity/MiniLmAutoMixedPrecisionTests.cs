using System.Diagnostics;
using Quantize.Core.Evaluation;
using Quantize.Core.Onnx;
using Quantize.Core.Tests.Evaluation;
using Xunit.Abstractions;

namespace Quantize.Core.Tests.Sensitivity;

/// <summary>
/// The issue's MiniLM case at the engine level: INT8 with MinCosine 0.995 on real sentences and
/// AutoMixedPrecision passes, and the nodes it kept in float are listed, excluded in the written model and
/// pasteable as an Exclude value that reproduces the same model without a search.
/// </summary>
public class MiniLmAutoMixedPrecisionTests(ITestOutputHelper output)
{
    /// <summary>Validation sentences: enough to be representative, few enough that each trial stays cheap.</summary>
    private const int ValidationSentences = 16;

    [Fact]
    public void MiniLm_int8_meets_min_cosine_0_995_by_keeping_the_most_sensitive_nodes_in_float()
    {
        var folder = RealModels.ScratchFolder("minilm-automix");
        var data = SensitivityFixtures.MiniLmSentences(folder, ValidationSentences);
        var quality = new QualityCheckOptions
        {
            ValidationData = data,
            Gates = new QualityGates { MinCosine = 0.995 },
            AutoMixedPrecision = true,
            SpeedCheck = false,
        };
        var target = Path.Combine(folder, "minilm.mixed.onnx");
        var clock = Stopwatch.StartNew();

        var result = CheckedRun.Quantize(RealModels.MiniLmPath, target, new QuantizeOptions { Precision = Precision.Int8 }, quality);

        var elapsed = clock.Elapsed;
        var report = result.Quality!;
        output.WriteLine($"AutoMixedPrecision on MiniLM INT8 (MinCosine 0.995, {ValidationSentences} sentences): {elapsed.TotalSeconds:F1} s, size {(double)report.BytesAfter / report.BytesBefore:F3} of FP32");
        output.WriteLine($"kept in float: {string.Join(", ", report.Fallbacks.Select(f => f.Key))}");
        foreach (var metric in report.Evaluation!.Outputs)
        {
            output.WriteLine($"output {metric.Output}: cosine {metric.Cosine:F6}, SQNR {metric.SqnrDb:F2} dB");
        }

        foreach (var layer in report.Layers.Take(10))
        {
            output.WriteLine($"{layer.Node,-12} {layer.OpType,-7} local {layer.LocalError:F5} gain {layer.EndToEndGain?.ToString("F6", System.Globalization.CultureInfo.InvariantCulture) ?? "-"}");
        }

        output.WriteLine(string.Join(Environment.NewLine, report.Notes));

        Assert.Empty(report.Failures);
        Assert.True(report.Evaluation.WorstCosine >= 0.995);
        Assert.NotEmpty(report.Fallbacks);
        Assert.InRange(report.Fallbacks.Count, 1, QualityCheckOptions.DefaultMaxFallbacks);
        Assert.All(report.Fallbacks, f => Assert.Equal("FP32", f.Value));
        Assert.Equal(report.Layers.Count, result.QuantizedNodes.Count + report.Fallbacks.Count);
        var exclude = string.Join(';', report.Fallbacks.Select(f => f.Key));
        Assert.Contains(report.Notes, n => n.Contains($"<Exclude>{exclude}</Exclude>", StringComparison.Ordinal));

        var (written, _) = ModelReader.Load(target);
        foreach (var (node, _) in report.Fallbacks)
        {
            Assert.Contains(written.Graph.Node, n => n.Name == node && n.OpType == report.Layers.Single(l => l.Node == node).OpType);
        }

        // The pasted Exclude value reproduces the chosen model without a search.
        var pinned = Path.Combine(folder, "minilm.pinned.onnx");
        QuantizeEngine.Quantize(RealModels.MiniLmPath, pinned, new QuantizeOptions { Precision = Precision.Int8, Exclude = exclude.Split(';') });
        Assert.Equal(File.ReadAllBytes(target), File.ReadAllBytes(pinned));
    }
}
