using Quantize.Core;
using Quantize.Core.Diagnostics;

namespace Quantize.Cli.Output;

/// <summary>
/// A plain sentence for precisions that are expected to run slower than float32 on ONNX Runtime's CPU
/// provider, so nobody ships a "smaller" model that makes their app slower without being told.
/// </summary>
internal static class CpuSpeedAdvice
{
    /// <summary>The sentence for <paramref name="options"/>, or null when the result should not be slower on CPU.</summary>
    public static string? For(QuantizeOptions options, QuantizeResult result)
    {
        // A pass that knows better has already said so with QNT1003; do not say it twice. BF16 is not
        // listed: ONNX Runtime folds its load-time Casts, so it runs at FP32 speed, not slower.
        if (result.Warnings.Any(w => w.Code == ErrorCodes.SlowerOnCpu) || result.Unchanged)
        {
            return null;
        }

        return options.Precision switch
        {
            Precision.Fp16 => "Speed: expect this FP16 model to run slower than the FP32 one on CPU (ONNX Runtime's CPU provider computes most FP16 operators through float32 conversions); FP16 pays off on GPUs and in download size.",
            Precision.Int4 when options.StandardOnnxInt4 => "Speed: the standard-ONNX INT4 form dequantizes weights on every run on CPU and is expected to be slower than FP32; use --int4-format matmulnbits for speed.",
            _ => null,
        };
    }
}
