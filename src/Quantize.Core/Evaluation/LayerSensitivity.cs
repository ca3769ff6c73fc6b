namespace Quantize.Core.Evaluation;

/// <summary>How much one quantized node hurts, for ranking fallback candidates and for the report's chart.</summary>
/// <param name="Node">The node's name in the float model.</param>
/// <param name="OpType">Its op type in the float model.</param>
/// <param name="LocalError">Relative L2 error of the node's output tensor in the quantized model vs the float model on the same inputs.</param>
/// <param name="EndToEndGain">How much the gated metric (worst output cosine) improves when only this node is kept in float; null when not measured.</param>
public sealed record LayerSensitivity(string Node, string OpType, double LocalError, double? EndToEndGain);
