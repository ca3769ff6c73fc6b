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

/// <summary>Parses precision names the way users write them (case-insensitive, with aliases).</summary>
public static class PrecisionNames
{
    /// <summary>The accepted names, for help text and error messages.</summary>
    public const string Accepted = "fp16, bf16, int8, int4";

    /// <summary>Parses <paramref name="text"/>; false when it names no precision.</summary>
    public static bool TryParse(string? text, out Precision precision)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "fp16" or "float16" or "half":
                precision = Precision.Fp16;
                return true;
            case "bf16" or "bfloat16":
                precision = Precision.Bf16;
                return true;
            case "int8" or "i8" or "int8dynamic":
                precision = Precision.Int8;
                return true;
            case "int4" or "i4" or "int4weightonly":
                precision = Precision.Int4;
                return true;
            default:
                precision = default;
                return false;
        }
    }
}
