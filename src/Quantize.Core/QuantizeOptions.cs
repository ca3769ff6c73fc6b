namespace Quantize.Core;

/// <summary>How INT4 chooses each block's levels.</summary>
public enum Int4Method
{
    /// <summary>Round to nearest, block by block; data-free.</summary>
    Rtn,

    /// <summary>HQQ: each block's scale and zero point optimized against the weights alone; data-free (<see cref="Numerics.Hqq"/>).</summary>
    Hqq,

    /// <summary>GPTQ: rounding errors compensated on the rows not yet quantized, from calibration activations (<see cref="Numerics.Gptq"/>).</summary>
    Gptq,

    /// <summary>AWQ: weight rows of large-activation inputs scaled up before rounding, the input divided back (<see cref="Numerics.Awq"/>).</summary>
    Awq,
}

/// <summary>What each <see cref="Int4Method"/> needs.</summary>
public static class Int4Methods
{
    /// <summary>True for the methods that measure each layer's inputs on calibration data (XᵀX): GPTQ and AWQ.</summary>
    public static bool NeedsCalibrationData(this Int4Method method) => method is Int4Method.Gptq or Int4Method.Awq;
}

/// <summary>When a written model keeps its weights in an external-data file beside it (<c>&lt;model&gt;.data</c>).</summary>
public enum ExternalDataMode
{
    /// <summary>
    /// When the model would pass protobuf's 2 GiB limit (past <see cref="Onnx.ModelWriter.InlineLimitBytes"/> of weights),
    /// or, for a model that came with external data, past <see cref="Onnx.ModelWriter.MappedInlineLimitBytes"/> (1 GiB).
    /// </summary>
    Auto,

    /// <summary>Always: every tensor of at least 1 KiB goes to the data file, page-aligned for memory mapping.</summary>
    Always,

    /// <summary>Never: one self-contained file; a model past the limit cannot be written (QNT0008).</summary>
    Never,
}

/// <summary>Everything that decides how a model is quantized. Part of the build's cache key.</summary>
public sealed record QuantizeOptions
{
    /// <summary>The target precision.</summary>
    public required Precision Precision { get; init; }

    /// <summary>
    /// Node names or op types to leave untouched. Each entry must match at least one node, otherwise
    /// quantizing fails with QNT0006 naming the closest match.
    /// </summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>
    /// Nodes kept in a higher precision than <see cref="Precision"/>: FP32 leaves them as they are (like
    /// <see cref="Exclude"/>), FP16 converts exactly them to float16 after the main pass. Selectors are node
    /// names or op types and must each match a node (QNT0006 otherwise). Text form: <see cref="PrecisionOverride.Parse"/>.
    /// </summary>
    public IReadOnlyList<PrecisionOverride> Overrides { get; init; } = [];

    /// <summary>
    /// Keep graph inputs and outputs in float32 (Cast nodes at the boundary). Default true, so callers
    /// of the model do not change. Only FP16/BF16 change I/O types at all.
    /// </summary>
    public bool KeepIoTypes { get; init; } = true;

    /// <summary>Weights with fewer elements than this stay as they are (tiny tensors gain nothing).</summary>
    public long MinElements { get; init; } = 16;

    /// <summary>INT8 dynamic: one scale per output channel instead of one per tensor.</summary>
    public bool PerChannel { get; init; }

    /// <summary>
    /// INT4: elements per quantization block along K (a power of two, at least 16), used for every weight.
    /// Null (the default) chooses per weight: <see cref="DefaultBlockSize"/>, or 16 for the weights whose
    /// outlier input rows would make blocks of 32 lose too much (the run's notes say which and why).
    /// </summary>
    public int? BlockSize { get; init; }

    /// <summary>INT4: the block size of every weight the automatic choice leaves alone.</summary>
    public const int DefaultBlockSize = 32;

    /// <summary>INT4: symmetric blocks (implicit zero point 8) when true, per-block zero points when false.</summary>
    public bool Symmetric { get; init; } = true;

    /// <summary>
    /// INT4 MatMulNBits accuracy_level: 0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8 activations.
    /// Default 4, the fastest on CPUs.
    /// </summary>
    public int AccuracyLevel { get; init; } = 4;

    /// <summary>INT4: how levels are chosen (round to nearest by default; HQQ is data-free, GPTQ and AWQ need calibration data).</summary>
    public Int4Method Int4Method { get; init; }

    /// <summary>
    /// INT4 GPTQ: quantize the input rows with the largest activations first (act-order, with static groups). On by
    /// default: on MiniLM it beat natural order on sentences calibration never saw (docs/measured-results.md).
    /// </summary>
    public bool GptqActOrder { get; init; } = true;

    /// <summary>INT4: emit standard ONNX (int4 initializer + block-wise DequantizeLinear, opset 21) instead of MatMulNBits.</summary>
    public bool StandardOnnxInt4 { get; init; }

    /// <summary>Where the written model's weights go: inline, or an external-data file beside it (default: only when too large to inline).</summary>
    public ExternalDataMode ExternalData { get; init; }

    /// <summary>
    /// INT8 static (QDQ), used when activation ranges are given: per-channel weights (default on), activation
    /// type, symmetry and reduce-range.
    /// </summary>
    public StaticInt8Options Static { get; init; } = new();
}
