using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Quantize.Core.Onnx;

namespace Quantize.Testing;

/// <summary>
/// Runs a model with real ONNX Runtime sessions on the CPU provider and returns outputs as float32
/// (float16/bfloat16 widened; int32/int64 outputs such as indices converted, exact below 2^24).
/// </summary>
public static class OrtRunner
{
    /// <summary>An input tensor: data (float[], Float16[], BFloat16[], long[], bool[], int[]) and its shape.</summary>
    public sealed record Input(Array Data, long[] Shape);

    public static Dictionary<string, float[]> Run(ModelProto model, IReadOnlyDictionary<string, Input> inputs) => Run(model.ToByteArray(), inputs);

    /// <summary>Runs a model file (from its path, so external data beside it resolves).</summary>
    public static Dictionary<string, float[]> Run(string modelPath, IReadOnlyDictionary<string, Input> inputs)
    {
        using var session = Open(modelPath);
        return Run(session, inputs);
    }

    public static Dictionary<string, float[]> Run(byte[] modelBytes, IReadOnlyDictionary<string, Input> inputs)
    {
        using var options = QuietOptions();
        using var session = new InferenceSession(modelBytes, options);
        return Run(session, inputs);
    }

    /// <summary>Opens a session on a model file for repeated runs (external data beside it resolves).</summary>
    public static InferenceSession Open(string modelPath)
    {
        using var options = QuietOptions();
        return new InferenceSession(modelPath, options);
    }

    private static SessionOptions QuietOptions() => new() { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };

    /// <summary>Runs an open session once.</summary>
    public static Dictionary<string, float[]> Run(InferenceSession session, IReadOnlyDictionary<string, Input> inputs)
    {
        var names = inputs.Keys.ToArray();
        var values = names.Select(n => CreateValue(inputs[n])).ToArray();
        try
        {
            // Held in a local and disposed after Run: an inline `new RunOptions()` can be finalized while the
            // native Run still reads it (a use-after-free that crashed ONNX Runtime intermittently).
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, names, values, session.OutputNames);
            var outputs = new Dictionary<string, float[]>(StringComparer.Ordinal);
            for (int i = 0; i < session.OutputNames.Count; i++)
            {
                outputs[session.OutputNames[i]] = ToFloats(results[i]);
            }

            return outputs;
        }
        finally
        {
            foreach (var v in values)
            {
                v.Dispose();
            }
        }
    }

    public static Input Floats(float[] data, params long[] shape) => new(data, shape);

    /// <summary>A float16 input holding <paramref name="data"/> converted by ONNX Runtime's Float16.</summary>
    public static Input Float16s(float[] data, params long[] shape) => new(data.Select(v => (Float16)v).ToArray(), shape);

    /// <summary>A bfloat16 input holding <paramref name="data"/> converted by ONNX Runtime's BFloat16.</summary>
    public static Input BFloat16s(float[] data, params long[] shape) => new(data.Select(v => (BFloat16)v).ToArray(), shape);

    private static OrtValue CreateValue(Input input) => input.Data switch
    {
        float[] f => OrtValue.CreateTensorValueFromMemory(f, input.Shape),
        Float16[] h => OrtValue.CreateTensorValueFromMemory(h, input.Shape),
        BFloat16[] bf => OrtValue.CreateTensorValueFromMemory(bf, input.Shape),
        long[] l => OrtValue.CreateTensorValueFromMemory(l, input.Shape),
        int[] i => OrtValue.CreateTensorValueFromMemory(i, input.Shape),
        bool[] b => OrtValue.CreateTensorValueFromMemory(b, input.Shape),
        _ => throw new NotSupportedException(input.Data.GetType().Name),
    };

    private static float[] ToFloats(OrtValue value)
    {
        var type = value.GetTensorTypeAndShape().ElementDataType;
        return type switch
        {
            TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Float16 => [.. value.GetTensorDataAsSpan<Float16>().ToArray().Select(h => (float)h)],
            TensorElementType.BFloat16 => [.. value.GetTensorDataAsSpan<BFloat16>().ToArray().Select(h => (float)h)],
            TensorElementType.Int64 => [.. value.GetTensorDataAsSpan<long>().ToArray().Select(v => (float)v)],
            TensorElementType.Int32 => [.. value.GetTensorDataAsSpan<int>().ToArray().Select(v => (float)v)],
            _ => throw new NotSupportedException($"Output element type {type}"),
        };
    }
}
