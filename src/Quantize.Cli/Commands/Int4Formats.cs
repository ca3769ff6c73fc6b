using Quantize.Core.Diagnostics;

namespace Quantize.Cli.Commands;

/// <summary>The values of <c>--int4-format</c>.</summary>
internal static class Int4Formats
{
    /// <summary>ONNX Runtime's contrib MatMulNBits (fast on CPU).</summary>
    public const string MatMulNBits = "matmulnbits";

    /// <summary>Standard ONNX: int4 initializers behind block-wise DequantizeLinear (opset 21).</summary>
    public const string Qdq = "qdq";

    /// <summary>True for <see cref="Qdq"/>; QNT0009 for anything but the two names.</summary>
    public static bool IsStandardOnnx(string? value, string modelPath) => value?.Trim().ToLowerInvariant() switch
    {
        MatMulNBits => false,
        Qdq => true,
        _ => throw new QuantizeException(ErrorCodes.InvalidOption, modelPath,
            $"Unknown INT4 format '{value}'. Use '{MatMulNBits}' or '{Qdq}'."),
    };
}
