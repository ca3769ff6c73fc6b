using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Diagnostics;

namespace Quantize.Core;

/// <summary>
/// Decides whose fault it is when ONNX Runtime refuses a quantized model: if it refuses the float input too, the
/// input was invalid to begin with (<see cref="ErrorCodes.RuntimeRejectedModel"/>); only otherwise is it our defect
/// (<see cref="ErrorCodes.OutputRejected"/>). Either way the diagnostic names the input, never the staging file.
/// </summary>
internal static class RejectedOutput
{
    /// <summary>The exception to throw for <paramref name="error"/>, ONNX Runtime's refusal of the quantized form of <paramref name="inputPath"/>.</summary>
    public static QuantizeException Blame(string inputPath, OnnxRuntimeException error)
    {
        if (InputRefusal(inputPath) is { } inputError)
        {
            return new QuantizeException(ErrorCodes.RuntimeRejectedModel, inputPath,
                $"ONNX Runtime cannot load '{inputPath}' itself, so it cannot be quantized: {inputError.Message}", inputError);
        }

        return new QuantizeException(ErrorCodes.OutputRejected, inputPath,
            $"The quantized model of '{inputPath}' does not load in ONNX Runtime ({error.Message}). This is a Quantize.Build defect; please report it with the model. Exclude the offending node to work around it.", error);
    }

    /// <summary>ONNX Runtime's refusal of the float model, or null when it loads.</summary>
    private static OnnxRuntimeException? InputRefusal(string inputPath)
    {
        try
        {
            Onnx.ExternalData.Vet(inputPath);
            using var options = QuantizeEngine.LoadCheckOptions();
            using var session = new InferenceSession(inputPath, options);
            return null;
        }
        catch (OnnxRuntimeException ex)
        {
            return ex;
        }
    }
}
