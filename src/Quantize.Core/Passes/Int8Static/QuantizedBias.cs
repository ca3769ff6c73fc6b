using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// An int32 bias the static pass stored, and the node it belongs to: what bias correction adjusts.
/// </summary>
/// <param name="Node">The Conv, ConvTranspose or Gemm (rewritten in place; its output may since have been renamed).</param>
/// <param name="FloatOutput">The node's output tensor in the float model.</param>
/// <param name="Tensor">The int32 initializer (zero point 0).</param>
/// <param name="Values">Its values, as stored.</param>
/// <param name="Scales">Its scale per output channel, or one for all.</param>
internal sealed record QuantizedBias(NodeProto Node, string FloatOutput, TensorProto Tensor, int[] Values, float[] Scales)
{
    /// <summary>The bias scale of output channel <paramref name="channel"/>.</summary>
    public float ScaleOf(int channel) => Scales.Length == 1 ? Scales[0] : Scales[channel];
}
