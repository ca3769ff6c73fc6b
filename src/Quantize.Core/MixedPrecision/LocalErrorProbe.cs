using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Evaluation;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using Quantize.Core.Passes.Int8Static;

namespace Quantize.Core.MixedPrecision;

/// <summary>
/// Local error of each quantized node: the relative L2 distance between its result in the quantized model
/// and in the float model on the same inputs, accumulated over the evaluation samples. It includes the error
/// that reaches the node from earlier quantized nodes (as in ONNX Runtime's activation comparison), which is
/// why the ranking then measures the end-to-end gain of the most suspicious nodes.
/// </summary>
internal static class LocalErrorProbe
{
    /// <summary>Node name → relative L2 error of its result; nodes that could not be probed are absent.</summary>
    /// <param name="check">The quality check (float model, static or not, evaluation samples).</param>
    /// <param name="quantizedPath">The fully quantized model.</param>
    /// <param name="nodes">The nodes the quantization rewrote.</param>
    /// <param name="folder">A private folder for the probe models.</param>
    public static IReadOnlyDictionary<string, double> Measure(QualityCheck check, string quantizedPath, IReadOnlyList<QuantizedNode> nodes, string folder)
    {
        var samples = check.EvaluationSamples ?? throw new InvalidOperationException("Sensitivity needs evaluation samples.");
        // Static INT8 rewrites ONNX Runtime's pre-processed graph: its tensors are the ones the quantized model keeps.
        var floatModel = check.IsStatic ? StaticPreprocessor.Optimize(check.InputPath) : ModelReader.Load(check.InputPath).Model;
        var quantizedModel = ModelReader.Load(quantizedPath).Model;
        var probes = ProbeModels.Add(floatModel, quantizedModel, nodes);
        if (probes.Count == 0)
        {
            return new Dictionary<string, double>();
        }

        var floatProbe = Path.Combine(folder, "probe-float.onnx");
        var quantizedProbe = Path.Combine(folder, "probe-quantized.onnx");
        TopologicalSorter.SortAll(floatModel.Graph);
        TopologicalSorter.SortAll(quantizedModel.Graph);
        ModelWriter.Save(floatModel, floatProbe);
        ModelWriter.Save(quantizedModel, quantizedProbe);
        floatModel = quantizedModel = null;
        try
        {
            using var pair = ModelPair.Open(floatProbe, quantizedProbe);
            var accumulators = probes.Select(p => new MetricsAccumulator(p.Output, classScores: false)).ToArray();
            var positions = probes.Select(p => IndexOf(pair.Outputs, p.Output)).ToArray();
            float[] floatBuffer = [], quantizedBuffer = [];
            using var runOptions = new RunOptions();
            foreach (var sample in new CalibrationDataReader(pair.Inputs, samples).Read())
            {
                using var floatFeed = ModelPair.Feed(pair.Float, sample.Inputs);
                using var quantizedFeed = ModelPair.Feed(pair.Quantized, sample.Inputs);
                using var expected = pair.Run(pair.Float, floatFeed, runOptions, sample.Source);
                using var actual = pair.Run(pair.Quantized, quantizedFeed, runOptions, sample.Source);
                for (int p = 0; p < probes.Count; p++)
                {
                    int o = positions[p];
                    if (o >= 0 && OrtTensors.TryReadFloats(expected[o], ref floatBuffer, out var reference)
                        && OrtTensors.TryReadFloats(actual[o], ref quantizedBuffer, out var quantized) && reference.Length == quantized.Length)
                    {
                        accumulators[p].Add(reference, quantized);
                    }
                }
            }

            var errors = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int p = 0; p < probes.Count; p++)
            {
                if (accumulators[p].SampleCount > 0)
                {
                    errors[probes[p].Node.Name] = accumulators[p].Result().RelativeL2;
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
