using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Evaluation;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using Quantize.Core.Passes.Int8Static;

namespace Quantize.Core.MixedPrecision;

/// <summary>
/// Local error of each quantized node: the relative L2 distance between a tensor in the quantized model and
/// in the float model on the same inputs, accumulated over the evaluation samples, for the node's result and
/// for its activation input. The result's error includes what reaches the node from earlier quantized nodes
/// (ONNX Runtime's activation comparison stops there, and then ranks deep layers first however harmless);
/// the difference between the two is the error the node itself adds, which is what ranks the candidates whose
/// end-to-end gain is measured.
/// </summary>
internal static class LocalErrorProbe
{
    /// <summary>Node name → relative L2 errors of its result and its input; nodes that could not be probed are absent.</summary>
    /// <param name="check">The quality check (float model, static or not, evaluation samples).</param>
    /// <param name="quantizedPath">The fully quantized model.</param>
    /// <param name="nodes">The nodes the quantization rewrote.</param>
    /// <param name="folder">A private folder for the probe models.</param>
    /// <param name="maxSamples">Probe at most this many evaluation samples (null: all).</param>
    public static IReadOnlyDictionary<string, NodeError> Measure(QualityCheck check, string quantizedPath, IReadOnlyList<QuantizedNode> nodes, string folder, int? maxSamples = null)
    {
        var samples = check.EvaluationSamples ?? throw new InvalidOperationException("Sensitivity needs evaluation samples.");
        // Static INT8 rewrites ONNX Runtime's pre-processed graph: its tensors are the ones the quantized model keeps.
        var floatModel = check.IsStatic ? StaticPreprocessor.Optimize(check.InputPath, check.QuantizeOptions.Static) : ModelReader.Load(check.InputPath).Model;
        var quantizedModel = ModelReader.Load(quantizedPath).Model;
        var probes = ProbeModels.Add(floatModel, quantizedModel, nodes);
        if (probes.Count == 0)
        {
            return new Dictionary<string, NodeError>();
        }

        var floatProbe = Path.Combine(folder, MixAttempts.ScratchName("probe-float.onnx"));
        var quantizedProbe = Path.Combine(folder, MixAttempts.ScratchName("probe-quantized.onnx"));
        TopologicalSorter.SortAll(floatModel.Graph);
        TopologicalSorter.SortAll(quantizedModel.Graph);
        ModelWriter.Save(floatModel, floatProbe);
        ModelWriter.Save(quantizedModel, quantizedProbe);
        floatModel = quantizedModel = null;
        try
        {
            using var pair = ModelPair.Open(floatProbe, quantizedProbe);
            string[] tensors = [.. probes.SelectMany(p => p.Input is null ? [p.Result] : new[] { p.Result, p.Input }).Distinct(StringComparer.Ordinal)];
            var accumulators = tensors.Select(t => new MetricsAccumulator(t, classScores: false)).ToArray();
            var positions = tensors.Select(t => IndexOf(pair.Outputs, t)).ToArray();
            float[] floatBuffer = [], quantizedBuffer = [];
            using var runOptions = new RunOptions();
            var probed = maxSamples is int cap ? samples with { MaxSamples = Math.Min(samples.MaxSamples ?? cap, cap) } : samples;
            foreach (var sample in new CalibrationDataReader(pair.Inputs, probed).Read())
            {
                using var floatFeed = ModelPair.Feed(pair.Float, sample.Inputs);
                using var quantizedFeed = ModelPair.Feed(pair.Quantized, sample.Inputs);
                using var expected = pair.Run(pair.Float, floatFeed, runOptions, sample.Source);
                using var actual = pair.Run(pair.Quantized, quantizedFeed, runOptions, sample.Source);
                for (int t = 0; t < tensors.Length; t++)
                {
                    int o = positions[t];
                    if (o >= 0 && OrtTensors.TryReadFloats(expected[o], ref floatBuffer, out var reference)
                        && OrtTensors.TryReadFloats(actual[o], ref quantizedBuffer, out var quantized) && reference.Length == quantized.Length)
                    {
                        accumulators[t].Add(reference, quantized);
                    }
                }
            }

            var measured = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int t = 0; t < tensors.Length; t++)
            {
                if (accumulators[t].SampleCount > 0)
                {
                    // NaN (a NaN in an output) ranks as the worst error there is.
                    var error = accumulators[t].Result().RelativeL2;
                    measured[tensors[t]] = double.IsNaN(error) ? double.PositiveInfinity : error;
                }
            }

            var errors = new Dictionary<string, NodeError>(StringComparer.Ordinal);
            foreach (var probe in probes)
            {
                if (measured.TryGetValue(probe.Result, out var result))
                {
                    errors[probe.Node.Name] = new NodeError(result, probe.Input is not null && measured.TryGetValue(probe.Input, out var input) ? input : 0);
                }
            }

            return errors;
        }
        finally
        {
            File.Delete(floatProbe);
            File.Delete(floatProbe + ".data");
            File.Delete(quantizedProbe);
            File.Delete(quantizedProbe + ".data");
        }
    }

    private static int IndexOf(IReadOnlyList<string> outputs, string name)
    {
        for (int i = 0; i < outputs.Count; i++)
        {
            if (outputs[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>Relative L2 errors of a node's result and of its activation input (0 when it reads none).</summary>
/// <param name="Result">Of the node's result, as its consumers read it.</param>
/// <param name="Input">Of its activation input, as it arrives.</param>
internal sealed record NodeError(double Result, double Input)
{
    /// <summary>The error the node adds (never below 0: a node that happens to cancel error is not credited for it).</summary>
    public double Added => Result == Input ? 0 : Math.Max(0, Result - Input);
}
