using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>A Clip's bounds, from its attributes (opset &lt; 11) or its optional min/max inputs.</summary>
internal static class ClipBounds
{
    /// <summary>
    /// (min, max) of <paramref name="clip"/>, ±∞ where a bound is absent; null when a bound input is not a float scalar
    /// that <paramref name="constant"/> resolves.
    /// </summary>
    public static (float Min, float Max)? Of(NodeProto clip, Func<string, TensorProto?> constant)
    {
        float min = NodeAttributes.Find(clip, "min")?.F ?? float.NegativeInfinity;
        float max = NodeAttributes.Find(clip, "max")?.F ?? float.PositiveInfinity;
        for (int i = 1; i < clip.Input.Count && i <= 2; i++)
        {
            if (clip.Input[i].Length == 0)
            {
                continue;
            }

            if (constant(clip.Input[i]) is not { } bound || bound.ElementType() != DataType.Float || bound.ElementCount() != 1)
            {
                return null;
            }

            float value = bound.ReadFloats()[0];
            (min, max) = i == 1 ? (value, max) : (min, value);
        }

        return (min, max);
    }
}
