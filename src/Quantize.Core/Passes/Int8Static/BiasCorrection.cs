using System.Runtime.InteropServices;
using Google.Protobuf;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Calibration.Statistics;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// Empirical bias correction (Nagel et al., "Data-Free Quantization Through Weight Equalization and Bias Correction",
/// 2019, §4.2, with the expectations taken over calibration data): rounding weights and activations shifts the mean
/// of a layer's output, and the shift accumulates layer by layer. For every quantized Conv, ConvTranspose and Gemm
/// with an int32 bias, the mean per output channel of (quantized − float) output over the calibration samples is
/// subtracted from the bias. Means are linear, so it is the difference of two means, each gathered by the streaming
/// calibrator. A layer is measured only after every corrected layer upstream of it has its new bias (correcting an
/// upstream layer changes the error downstream), so the layers are corrected in waves of independent ones.
/// </summary>
internal static class BiasCorrection
{
    /// <summary>The calibration samples a correction reads at most (held in memory: every wave runs them again).</summary>
    public const int MaxSamples = 32;

    /// <summary>
    /// Corrects <paramref name="biases"/> in <paramref name="quantized"/> (rewritten in place) against
    /// <paramref name="floatModel"/>, on the first <see cref="MaxSamples"/> samples of <paramref name="data"/>.
    /// <paramref name="optimize"/> false runs the graphs exactly as written. Errors already in <paramref name="measured"/>
    /// (an earlier quantization of the same calibration) are applied without running anything; new ones are added to it.
    /// Returns the biases changed and the samples the errors come from.
    /// </summary>
    public static (int Changed, int Samples) Apply(ModelProto quantized, ModelProto floatModel, string modelPath, IReadOnlyList<QuantizedBias> biases,
        CalibrationDataOptions data, bool optimize, BiasShifts measured)
    {
        if (biases.Count == 0)
        {
            return (0, 0);
        }

        if (!biases.All(b => measured.TryGet(b.Node.Name, out _)))
        {
            return (Measure(quantized, floatModel, modelPath, biases, data, optimize, measured), measured.Samples);
        }

        int changed = biases.Count(b => measured.TryGet(b.Node.Name, out var errors) && Correct(b, errors));
        return (changed, measured.Samples);
    }

    /// <summary>
    /// Measures and corrects every bias wave by wave (each wave measured with the waves before it corrected), recording
    /// the errors in <paramref name="measured"/>; returns the biases changed.
    /// </summary>
    private static int Measure(ModelProto quantized, ModelProto floatModel, string modelPath, IReadOnlyList<QuantizedBias> biases,
        CalibrationDataOptions data, bool optimize, BiasShifts measured)
    {
        var samples = new CalibrationDataReader(floatModel, data).Read().Take(MaxSamples).ToList();
        var floatMeans = ChannelMeans(floatModel, modelPath, [.. biases.Select(b => b.FloatOutput)], samples, optimize);
        int changed = 0;
        foreach (var wave in Waves(quantized.Graph, biases))
        {
            var quantizedMeans = ChannelMeans(quantized, modelPath, [.. wave.Select(b => b.Node.Output[0])], samples, optimize);
            foreach (var bias in wave)
            {
                var errors = quantizedMeans[bias.Node.Output[0]].Zip(floatMeans[bias.FloatOutput], (q, f) => q - f).ToArray();
                measured.Set(bias.Node.Name, errors);
                if (Correct(bias, errors))
                {
                    changed++;
                }
            }
        }

        measured.Samples = samples.Count;
        return changed;
    }

    /// <summary>A Conv with groups (depthwise, or grouped): few weights per output channel, so rounding shifts its mean.</summary>
    public static bool IsDepthwise(NodeProto node) => node.OpType == "Conv" && (NodeAttributes.Find(node, "group")?.I ?? 1) > 1;

    /// <summary>Subtracts the mean error from each channel's int32 bias; false when no channel moved by a whole step.</summary>
    private static bool Correct(QuantizedBias bias, double[] errors)
    {
        if (errors.Length != bias.Values.Length)
        {
            return false;
        }

        bool moved = false;
        for (int c = 0; c < bias.Values.Length; c++)
        {
            double error = errors[c];
            if (!double.IsFinite(error))
            {
                continue;
            }

            double corrected = Math.Round(bias.Values[c] - (error / bias.ScaleOf(c)), MidpointRounding.ToEven);
            int value = (int)Math.Clamp(corrected, int.MinValue, int.MaxValue);
            moved |= value != bias.Values[c];
            bias.Values[c] = value;
        }

        bias.Tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(bias.Values.AsSpan()));
        return moved;
    }

    /// <summary>
    /// The biases in waves: a bias joins the wave after the last one holding a bias upstream of its node, so each
    /// wave is measured with every upstream correction in place, and a chain of layers takes one wave per layer.
    /// </summary>
    private static List<List<QuantizedBias>> Waves(GraphProto graph, IReadOnlyList<QuantizedBias> biases)
    {
        var byNode = biases.ToDictionary<QuantizedBias, NodeProto>(b => b.Node, ReferenceEqualityComparer.Instance);
        // The wave of the latest correction upstream of each tensor (0: none).
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        var waves = new List<List<QuantizedBias>>();
        // Sorting is harmless: the engine sorts the written graph anyway.
        TopologicalSorter.Sort(graph);
        foreach (var node in graph.Node)
        {
            int upstream = node.Input.Select(i => depth.GetValueOrDefault(i)).DefaultIfEmpty(0).Max();
            int own = upstream;
            if (byNode.TryGetValue(node, out var bias))
            {
                own = upstream + 1;
                while (waves.Count < own)
                {
                    waves.Add([]);
                }

                waves[own - 1].Add(bias);
            }

            foreach (var output in node.Output)
            {
                depth[output] = own;
            }
        }

        return waves;
    }

    /// <summary>
    /// The mean per channel of <paramref name="tensors"/> over <paramref name="samples"/>, one observing session. A fetched
    /// layer output is a graph output, so ONNX Runtime does not fuse that layer and computes it with explicit rounding (its
    /// integer kernels compute the same to about four digits, docs/passes.md); the layers before it run fused.
    /// </summary>
    private static Dictionary<string, double[]> ChannelMeans(ModelProto model, string modelPath, string[] tensors, IReadOnlyList<CalibrationSample> samples, bool optimize)
    {
        var statistics = tensors.Distinct(StringComparer.Ordinal).ToDictionary(t => t, _ => new ChannelMeanStatistics(), StringComparer.Ordinal);
        using (var calibrator = new StreamingCalibrator(model, modelPath, new CalibrationOptions(), statistics.Keys, name => statistics[name], optimize))
        {
            foreach (var sample in samples)
            {
                calibrator.Add(sample);
            }

            calibrator.Complete();
        }

        return statistics.ToDictionary(s => s.Key, s => s.Value.Means, StringComparer.Ordinal);
    }
}
