using Quantize.Core.Numerics;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// The bias of Conv and Gemm as int32 with zero point 0 and scale input_scale × weight_scale (per channel),
/// the form ONNX Runtime's QLinearConv and QGemm add straight into their int32 accumulators.
/// </summary>
internal static class Int32Bias
{
    /// <summary>
    /// The largest |bias / scale| allowed. Below int32's limit so that the rounding of a float32 scale
    /// computed from a raised weight scale can never push a value over it.
    /// </summary>
    public const double Limit = int.MaxValue * 0.999;

    /// <summary>
    /// Raises weight scales where bias / (input_scale × weight_scale) would overflow int32: a tiny input
    /// range times tiny weights beside a large bias. The weight then rounds more coarsely, which is far
    /// better than a clamped bias. Returns the parameters to quantize the weight with, and which channels changed.
    /// </summary>
    public static (QuantizationParameters[] Parameters, int Raised) FitWeightScales(float[] bias, float inputScale, QuantizationParameters[] weight, (int Min, int Max) weightRange, bool symmetricWeights)
    {
        var result = (QuantizationParameters[])weight.Clone();
        int raised = 0;
        for (int c = 0; c < bias.Length; c++)
        {
            var p = result[weight.Length == 1 ? 0 : c];
            double needed = Math.Abs((double)bias[c]) / (inputScale * Limit);
            if (needed <= p.Scale)
            {
                continue;
            }

            // Keep real zero exact: symmetric weights keep their middle zero point; asymmetric ones re-derive it.
            float scale = (float)(needed * 1.000001);
            int zeroPoint = symmetricWeights ? p.ZeroPoint : Math.Clamp((int)Math.Round(weightRange.Min - ((weightRange.Min - p.ZeroPoint) * (p.Scale / (double)scale)), MidpointRounding.ToEven), weightRange.Min, weightRange.Max);
            result[weight.Length == 1 ? 0 : c] = new QuantizationParameters(scale, zeroPoint);
            raised++;
        }

        return (result, raised);
    }

    /// <summary>The int32 bias and its per-channel (or single) scale.</summary>
    public static (int[] Values, float[] Scales) Quantize(float[] bias, float inputScale, QuantizationParameters[] weight)
    {
        var scales = weight.Select(p => inputScale * p.Scale).ToArray();
        var values = new int[bias.Length];
        for (int c = 0; c < bias.Length; c++)
        {
            double q = Math.Round(bias[c] / (double)scales[weight.Length == 1 ? 0 : c], MidpointRounding.ToEven);
            values[c] = (int)Math.Clamp(q, int.MinValue, int.MaxValue);
        }

        return (values, scales);
    }
}
