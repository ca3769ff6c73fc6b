namespace Quantize.Core.Evaluation;

/// <summary>How much one quantized node hurts, for ranking fallback candidates and for the report's chart.</summary>
/// <param name="Node">The node's name in the float model.</param>
/// <param name="OpType">Its op type in the float model.</param>
/// <param name="LocalError">
/// The error the node adds: relative L2 error (quantized vs float model, same inputs) of its result minus that of
/// its activation input, never below 0. The result's own error would also count what earlier nodes did.
/// </param>
/// <param name="EndToEndGain">How much the worst output cosine improves when only this node is kept in float; null when not measured.</param>
public sealed record LayerSensitivity(string Node, string OpType, double LocalError, double? EndToEndGain);
