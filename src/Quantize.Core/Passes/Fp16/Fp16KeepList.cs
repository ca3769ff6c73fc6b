using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Fp16;

/// <summary>
/// The nodes and input slots that stay float32 in an FP16 model (docs/numerics.md "FP16 conversion"): ops
/// without float16 kernels or with range trouble in float16, ops whose float output type comes from an
/// attribute rather than from their inputs, and inputs whose schema allows only float32.
/// </summary>
internal static class Fp16KeepList
{
    private const string MlDomain = "ai.onnx.ml";

    private static readonly HashSet<string> KeptStandardOps = new(StringComparer.Ordinal)
    {
        // docs/numerics.md's list: no float16 kernels, or results that float16's range or precision breaks
        // (box coordinates, cumulative sums, index ranges, extreme values).
        "NonMaxSuppression", "TopK", "RoiAlign", "Range", "CumSum", "Min", "Max", "Upsample",

        // Random generators: output type comes from a dtype attribute and sampling wants float32.
        "RandomUniformLike", "RandomNormalLike", "RandomUniform", "RandomNormal", "Bernoulli", "Multinomial",

        // Quantization ops: scales are float32-only before opset 19 and ORT's CPU kernels want float32.
        "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",

        // Float output whose type is fixed or set by an attribute (output_datatype), not by an input.
        "TfIdfVectorizer", "HannWindow", "HammingWindow", "BlackmanWindow", "MelWeightMatrix",

        // Sequence and optional values are not tensors: their element types are not in the type table,
        // so the tensors that enter or leave them stay float32 rather than risk a mismatch.
        "SequenceConstruct", "SequenceInsert", "SequenceAt", "SequenceErase", "SequenceLength", "SequenceEmpty",
        "SplitToSequence", "ConcatFromSequence", "SequenceMap", "Optional", "OptionalGetElement", "OptionalHasElement",
    };

    /// <summary>
    /// True when <paramref name="node"/> runs in float32. Every classical-ML op (ai.onnx.ml) stays float32;
    /// so do ops of custom domains, whose kernels rarely accept float16. Standard ONNX and com.microsoft ops
    /// are converted unless listed above (ONNX Runtime casts around the CPU kernels it lacks in float16).
    /// </summary>
    public static bool IsKept(NodeProto node) => node.Domain switch
    {
        "" or "ai.onnx" => KeptStandardOps.Contains(node.OpType),
        "com.microsoft" => false,
        MlDomain => true,
        _ => true,
    };

    /// <summary>
    /// True when input <paramref name="slot"/> of a converted node must still be float32: Resize's roi and
    /// scales (scales is float32-only in every opset; roi is kept beside it so coordinates keep their precision).
    /// </summary>
    public static bool IsFloat32Slot(NodeProto node, int slot) =>
        node.Domain is "" or "ai.onnx" && node.OpType == "Resize" && slot is 1 or 2;
}
