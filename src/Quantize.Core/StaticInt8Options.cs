namespace Quantize.Core;

/// <summary>The integer type activations are quantized to by static INT8 (QDQ).</summary>
public enum ActivationType
{
    /// <summary>uint8, asymmetric by default: the type ONNX Runtime's x86 integer kernels are fastest with.</summary>
    UInt8,

    /// <summary>int8 (s8×s8 kernels; what some ARM CPUs and NPUs prefer).</summary>
    Int8,
}

/// <summary>The layers static INT8's bias correction adjusts.</summary>
public enum BiasCorrectionScope
{
    /// <summary>
    /// Depthwise Convs only (group &gt; 1): nine weights per output channel do not average their rounding out, so
    /// their outputs shift. Measured: MLSD's offsets 0.906 → 0.974, ResNet-18 (no depthwise Conv) untouched.
    /// </summary>
    Depthwise,

    /// <summary>Every Conv, ConvTranspose and Gemm with a bias (MLSD's offsets 0.978, but ResNet-18 falls 0.9975 → 0.9949).</summary>
    All,

    /// <summary>No correction.</summary>
    None,
}

/// <summary>Which Conv pairs static INT8's cross-layer equalization (<see cref="Passes.Int8Static.CrossLayerEqualization"/>) rescales.</summary>
public enum EqualizationScope
{
    /// <summary>None.</summary>
    None,

    /// <summary>Pairs across Relu, LeakyRelu or no activation: the float function is unchanged.</summary>
    Exact,

    /// <summary>Also pairs across Relu6 (<c>Clip(0, 6)</c>), which becomes Relu: changes the float function where values exceeded 6.</summary>
    ReplaceRelu6,
}

/// <summary>How static INT8 (QDQ) quantizes a model once activation ranges are known. Part of the cache key.</summary>
public sealed record StaticInt8Options
{
    /// <summary>One weight scale per output channel (default true): per-tensor scales cost CNNs several points of accuracy.</summary>
    public bool PerChannel { get; init; } = true;

    /// <summary>The activation type (default uint8).</summary>
    public ActivationType ActivationType { get; init; } = ActivationType.UInt8;

    /// <summary>
    /// Symmetric activation ranges (default false). Asymmetric ranges use every integer level for ranges such
    /// as a Relu's [0, max], and let Relu and Clip vanish into the preceding quantization.
    /// </summary>
    public bool SymmetricActivations { get; init; }

    /// <summary>Symmetric weights (default true; zero point 0 keeps the integer kernels' correction terms away).</summary>
    public bool SymmetricWeights { get; init; } = true;

    /// <summary>
    /// Weights use 7 bits (int8 −64..64) so that u8×s8 products cannot saturate the 16-bit intermediate sums of
    /// CPUs without VNNI (AVX2 <c>vpmaddubsw</c>). Default false.
    /// </summary>
    public bool ReduceRange { get; init; }

    /// <summary>
    /// Which int32 biases empirical bias correction shifts by the mean difference between the quantized and the float
    /// layer output over the calibration samples (default <see cref="BiasCorrectionScope.Depthwise"/>).
    /// </summary>
    public BiasCorrectionScope BiasCorrection { get; init; } = BiasCorrectionScope.Depthwise;

    /// <summary>
    /// Which Conv → activation → Conv pairs cross-layer equalization rescales before calibration (default
    /// <see cref="EqualizationScope.None"/>). It changes the graph that is calibrated, so it is part of the ranges' fingerprint too.
    /// </summary>
    public EqualizationScope CrossLayerEqualization { get; init; } = EqualizationScope.None;

    /// <summary>
    /// Cut the range of a tensor read only by Sigmoid, Tanh or HardSigmoid to where they do not saturate (default
    /// true; <see cref="Passes.Int8Static.SaturatingReaders"/>). False keeps every calibrated range as calibrated.
    /// </summary>
    public bool ClipSaturatedRanges { get; init; } = true;

    /// <summary>
    /// Leave in float the patterns measured slower than float on ONNX Runtime's CPU provider (default true): a grouped
    /// or thin Conv between float ops (<see cref="Passes.Int8Static.SlowConvIsland"/>). False quantizes them anyway.
    /// </summary>
    public bool AvoidSlowPatterns { get; init; } = true;
}
