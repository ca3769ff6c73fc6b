namespace Quantize.Core;

/// <summary>The target precisions of Quantize.Build.</summary>
public enum Precision
{
    /// <summary>IEEE half precision weights and activations.</summary>
    Fp16,

    /// <summary>bfloat16 weight storage (computed in float32 on CPU).</summary>
    Bf16,

    /// <summary>8-bit integers: dynamic (no calibration) quantization of MatMul/Gemm/Gather weights.</summary>
    Int8,

    /// <summary>4-bit block-wise weight-only quantization (MatMulNBits, GatherBlockQuantized).</summary>
    Int4,
}

/// <summary>Parses precision names the way users write them (case-insensitive, with aliases; the shared <see cref="PrecisionSpellings"/>).</summary>
public static class PrecisionNames
{
    /// <summary>The accepted names, for help text and error messages: "fp16, bf16, int8, int4".</summary>
    public static string Accepted { get; } = PrecisionSpellings.Accepted.ToLowerInvariant();

    /// <summary>Parses <paramref name="text"/>; false when it names no precision.</summary>
    public static bool TryParse(string? text, out Precision precision)
    {
        precision = default;
        return PrecisionSpellings.Canonical(text) is { } name && Enum.TryParse(name, out precision);
    }
}
