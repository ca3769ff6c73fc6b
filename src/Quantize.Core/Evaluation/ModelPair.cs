using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Diagnostics;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Evaluation;

/// <summary>
/// The float model and its quantized form, open side by side in ONNX Runtime's CPU provider with identical
/// session options, so accuracy and latency differences come from the models and nothing else. Evaluation
/// and the speed check share one pair: opening a session (graph optimization, weight pre-packing) costs about
/// as much as a few dozen runs of a model like MiniLM.
/// </summary>
public sealed class ModelPair : IDisposable
{
    private ModelPair(string floatPath, string quantizedPath, InferenceSession floatSession, InferenceSession quantizedSession)
    {
        FloatPath = floatPath;
        QuantizedPath = quantizedPath;
        Float = floatSession;
        Quantized = quantizedSession;
        // The quantizer keeps output names; an output it could not keep cannot be compared, and says so by its absence.
        Outputs = [.. floatSession.OutputNames.Where(quantizedSession.OutputMetadata.ContainsKey)];
    }

    /// <summary>The float model's path.</summary>
    public string FloatPath { get; }

    /// <summary>The quantized model's path.</summary>
    public string QuantizedPath { get; }

    /// <summary>Graph outputs both models have, in the float model's order.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>
    /// The float model's inputs as ONNX Runtime declares them (initializers listed among the inputs excluded),
    /// for reading samples without parsing the model again.
    /// </summary>
    public IReadOnlyList<ModelInput> Inputs =>
    [
        .. Float.InputNames.Select(name => Float.InputMetadata[name] is { IsTensor: true } m
            ? new ModelInput(name, (DataType)(int)m.ElementDataType, [.. m.Dimensions.Select(d => d > 0 ? (long?)d : null)])
            : new ModelInput(name, DataType.Undefined, null)),
    ];

    /// <summary>The float model's session.</summary>
    internal InferenceSession Float { get; }

    /// <summary>The quantized model's session.</summary>
    internal InferenceSession Quantized { get; }

    /// <summary>Opens both models with the same session options (CPU provider, default optimizations and threads).</summary>
    public static ModelPair Open(string floatModelPath, string quantizedModelPath)
    {
        var floatSession = OpenSession(floatModelPath, floatModelPath);
        try
        {
            return new ModelPair(floatModelPath, quantizedModelPath, floatSession, OpenSession(quantizedModelPath, floatModelPath));
        }
        catch
        {
            floatSession.Dispose();
            throw;
        }
    }

    /// <summary>The session options both models run with: the defaults an application gets, quiet logging.</summary>
    public static SessionOptions CreateSessionOptions() => new() { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };

    /// <summary>Runs <paramref name="session"/> on <paramref name="feed"/>, fetching <see cref="Outputs"/>.</summary>
    internal IDisposableReadOnlyCollection<OrtValue> Run(InferenceSession session, SessionFeed feed, RunOptions runOptions, string source)
    {
        try
        {
            return session.Run(runOptions, feed.Names, feed.Values, [.. Outputs]);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new QuantizeException(ErrorCodes.CalibrationInputMismatch, source,
                $"ONNX Runtime rejected evaluation sample '{source}' for '{(session == Float ? FloatPath : QuantizedPath)}': {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The sample's tensors as ORT values for <paramref name="session"/>, in the element types it declares. Only
    /// inputs the sample has are fed: models with initializers among their inputs (IR &lt; 4) keep their weights.
    /// </summary>
    internal static SessionFeed Feed(InferenceSession session, IReadOnlyDictionary<string, CalibrationTensor> inputs)
    {
        var metadata = session.InputMetadata;
        var names = session.InputNames.Where(inputs.ContainsKey).ToArray();
        var values = new OrtValue[names.Length];
        var feed = new SessionFeed(names, values);
        try
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = OrtTensors.ToOrtValue(inputs[names[i]], metadata[names[i]].ElementDataType);
            }
        }
        catch
        {
            feed.Dispose();
            throw;
        }

        return feed;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Float.Dispose();
        Quantized.Dispose();
    }

    private static InferenceSession OpenSession(string path, string floatModelPath)
    {
        using var options = CreateSessionOptions();
        try
        {
            return new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new QuantizeException(ErrorCodes.RuntimeRejectedModel, floatModelPath, $"ONNX Runtime cannot load '{path}' for evaluation: {ex.Message}", ex);
        }
    }
}
