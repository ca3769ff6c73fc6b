namespace Quantize.Core;

/// <summary>The integer type activations are quantized to by static INT8 (QDQ).</summary>
public enum ActivationType
{
    /// <summary>uint8, asymmetric by default: the type ONNX Runtime's x86 integer kernels are fastest with.</summary>
    UInt8,

    /// <summary>int8 (s8×s8 kernels; what some ARM CPUs and NPUs prefer).</summary>
    Int8,
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
}
