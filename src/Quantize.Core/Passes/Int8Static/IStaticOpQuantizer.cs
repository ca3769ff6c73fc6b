using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>How static INT8 (QDQ) quantizes one family of ops. Adding an op is adding it to one of these, or a new one.</summary>
internal interface IStaticOpQuantizer
{
    /// <summary>The default-domain op types handled.</summary>
    IReadOnlyCollection<string> OpTypes { get; }

    /// <summary>
    /// Plans <paramref name="node"/>'s Q/DQ (weights and biases are rewritten at once, activation pairs at the
    /// end of the pass); returns false, changing nothing, when the node stays float.
    /// </summary>
    bool TryQuantize(NodeProto node, QdqRewrite rewrite);
}
