using Quantize.Core.Calibration.Data;
using Quantize.Core.Calibration.Statistics;
using Quantize.Core.Onnx;

namespace Quantize.Core.Calibration;

/// <summary>
/// GPTQ's calibration: XᵀX of every MatMul input that multiplies a constant 2-D weight, over the calibration samples,
/// streamed through the same observing session as range calibration (one batch of activations in memory at a time).
/// Keyed by the MatMul's input tensor, so MatMuls reading one tensor (an attention block's Q, K and V) share it.
/// </summary>
internal static class HessianCollector
{
    /// <summary>The Hessians of <paramref name="model"/>'s weighted MatMul inputs, by input tensor name, and the samples read.</summary>
    public static (IReadOnlyDictionary<string, double[]> Hessians, int Samples) Collect(ModelProto model, string modelPath, CalibrationDataOptions data)
    {
        var widths = WeightedMatMulInputs(model);
        var statistics = widths.ToDictionary(w => w.Key, w => new HessianStatistics(w.Value), StringComparer.Ordinal);
        using var calibrator = new StreamingCalibrator(model, modelPath, new CalibrationOptions(), [.. widths.Keys], name => statistics[name]);
        foreach (var sample in new CalibrationDataReader(model, data).Read())
        {
            calibrator.Add(sample);
        }

        int samples = calibrator.Complete().SampleCount;
        return (statistics.Where(s => s.Value.Rows > 0).ToDictionary(s => s.Key, s => s.Value.Hessian, StringComparer.Ordinal), samples);
    }

    /// <summary>Main-graph MatMuls whose second input is a float 2-D initializer [K, N]: their first input and K.</summary>
    private static Dictionary<string, int> WeightedMatMulInputs(ModelProto model)
    {
        var weights = model.Graph.Initializer.Where(i => i.Dims.Count == 2 && i.DataType == (int)TensorProto.Types.DataType.Float)
            .ToDictionary(i => i.Name, i => (int)i.Dims[0], StringComparer.Ordinal);
        var inputs = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in model.Graph.Node.Where(n => n.OpType == "MatMul" && n.Domain is "" or "ai.onnx" && n.Input.Count == 2))
        {
            if (weights.TryGetValue(node.Input[1], out int k))
            {
                inputs.TryAdd(node.Input[0], k);
            }
        }

        return inputs;
    }
}
