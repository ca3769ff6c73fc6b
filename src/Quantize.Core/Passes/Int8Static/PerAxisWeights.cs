using Quantize.Core.Numerics;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>A weight stored as int8 with one scale and zero point per channel of an axis (or one for all).</summary>
/// <param name="Values">The int8 values, same layout as the float weight.</param>
/// <param name="Parameters">One entry per channel, or a single entry for per-tensor.</param>
internal sealed record QuantizedWeight(sbyte[] Values, QuantizationParameters[] Parameters)
{
    public bool PerChannel => Parameters.Length > 1;
}

/// <summary>
/// Quantizes a weight of any rank along one axis (Conv's output channels are axis 0, MatMul's columns the
/// last axis...). The tensor is viewed as [outer, channels, inner]: channel c holds every element whose
/// index along the axis is c.
/// </summary>
internal static class PerAxisWeights
{
    /// <summary>The per-channel parameters of <paramref name="values"/> (null axis: one for the whole tensor).</summary>
    public static QuantizationParameters[] Parameters(float[] values, long[] dims, int? axis, (int Min, int Max) range, bool symmetric)
    {
        var (outer, channels, inner) = Layout(dims, axis);
        var min = new float[channels];
        var max = new float[channels];
        for (int o = 0; o < outer; o++)
        {
            for (int c = 0; c < channels; c++)
            {
                var block = values.AsSpan(((o * channels) + c) * inner, inner);
                // Finite values only reach here (the caller checked); 0 is always inside the range anyway.
                min[c] = Math.Min(min[c], System.Numerics.Tensors.TensorPrimitives.Min(block));
                max[c] = Math.Max(max[c], System.Numerics.Tensors.TensorPrimitives.Max(block));
            }
        }

        return [.. Enumerable.Range(0, channels).Select(c => QuantizationParameters.FromRange(min[c], max[c], range.Min, range.Max, symmetric))];
    }

    /// <summary>Quantizes <paramref name="values"/> with the given per-channel <paramref name="parameters"/>.</summary>
    public static QuantizedWeight Quantize(float[] values, long[] dims, int? axis, QuantizationParameters[] parameters, (int Min, int Max) range)
    {
        var (outer, channels, inner) = Layout(dims, axis);
        var quantized = new sbyte[values.Length];
        for (int o = 0; o < outer; o++)
        {
            for (int c = 0; c < channels; c++)
            {
                int start = ((o * channels) + c) * inner;
                LinearQuantizer.QuantizeToInt8(values.AsSpan(start, inner), parameters[c], range.Min, range.Max, quantized.AsSpan(start, inner));
            }
        }

        return new QuantizedWeight(quantized, parameters);
    }

    private static (int Outer, int Channels, int Inner) Layout(long[] dims, int? axis)
    {
        long total = dims.Aggregate(1L, (a, b) => a * b);
        if (axis is not int a)
        {
            return (1, 1, checked((int)total));
        }

        long outer = dims.Take(a).Aggregate(1L, (x, y) => x * y);
        long inner = dims.Skip(a + 1).Aggregate(1L, (x, y) => x * y);
        return (checked((int)outer), checked((int)dims[a]), checked((int)inner));
    }
}
