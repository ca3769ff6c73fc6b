namespace Quantize.Core.Passes.Int8;

/// <summary>How the INT8 dynamic pass rewrites one op type. Adding an op is adding one of these.</summary>
internal interface IDynamicOpQuantizer
{
    /// <summary>The default-domain op type handled.</summary>
    string OpType { get; }

    /// <summary>
    /// Rewrites <paramref name="node"/> into its quantized form inside <paramref name="scope"/> and marks it
    /// replaced; returns false (leaving the graph untouched) when the node is not eligible.
    /// </summary>
    bool TryQuantize(Onnx.NodeProto node, Int8RewriteScope scope, Int8Rewrite rewrite);
}
