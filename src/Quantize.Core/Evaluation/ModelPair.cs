using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Diagnostics;
using Quantize.Core.Onnx;
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
    public IReadOnlyList<ModelInput> Inputs => InputsOf(Float);

    /// <summary>The float model's session.</summary>
    internal InferenceSession Float { get; }

    /// <summary>The quantized model's session.</summary>
    internal InferenceSession Quantized { get; }

    /// <summary>Opens both models with the same session options (CPU provider, default optimizations and threads).</summary>
    public static ModelPair Open(string floatModelPath, string quantizedModelPath)
    {
        // Both sessions are built at once: building one (graph optimization, weight pre-packing) is mostly
        // single-threaded, and on a small machine the two together take little longer than the larger one.
        // Opening the quantized model is the engine's load check too (the quality check skips the engine's own).
        // ONNX Runtime resolves the float model's external data itself: vet the locations first.
        ExternalData.Vet(floatModelPath);
        var quantizedTask = Task.Run(() => OpenQuantized(floatModelPath, quantizedModelPath));
        InferenceSession? floatSession = null;
        try
        {
            floatSession = OpenSession(floatModelPath, $"ONNX Runtime cannot load '{floatModelPath}' for evaluation");
            return new ModelPair(floatModelPath, quantizedModelPath, floatSession, quantizedTask.GetAwaiter().GetResult());
        }
        catch
        {
            floatSession?.Dispose();
            // Never leave the other session behind: wait for it and release it, whatever happened to it.
            Task.WhenAny(quantizedTask).GetAwaiter().GetResult(); // Waits without rethrowing the task's own failure.
            if (quantizedTask.IsCompletedSuccessfully)
            {
                quantizedTask.Result.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// The session options both models run with: the defaults an application gets, quiet logging, and weights
    /// allocated exactly rather than from the growing arena (the check holds both models at once; this changes
    /// memory, not kernels).
    /// </summary>
    public static SessionOptions CreateSessionOptions()
    {
        var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        options.AddSessionConfigEntry("session.use_device_allocator_for_initializers", "1");
        return options;
    }

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

    /// <summary>
    /// Loads the quantized model alone (the engine's load check, QNT0011 when it fails) and returns its inputs. Weight
    /// pre-packing and graph optimizations are off: the session only proves the model loads and says what it takes.
    /// </summary>
    public static IReadOnlyList<ModelInput> VerifyQuantized(string floatModelPath, string quantizedModelPath)
    {
        using var session = OpenQuantized(floatModelPath, quantizedModelPath, prepack: false);
        return InputsOf(session);
    }

    private static IReadOnlyList<ModelInput> InputsOf(InferenceSession session) =>
    [
        .. session.InputNames.Select(name => session.InputMetadata[name] is { IsTensor: true } m
            ? new ModelInput(name, (DataType)(int)m.ElementDataType, [.. m.Dimensions.Select(d => d > 0 ? (long?)d : null)])
            : new ModelInput(name, DataType.Undefined, null)),
    ];

    /// <summary>Opens the quantized model; a refusal names the float model, with the blame decided by <see cref="RejectedOutput"/>.</summary>
    private static InferenceSession OpenQuantized(string floatModelPath, string quantizedModelPath, bool prepack = true)
    {
        try
        {
            return CreateSession(quantizedModelPath, prepack);
        }
        catch (OnnxRuntimeException ex)
        {
            throw RejectedOutput.Blame(floatModelPath, ex);
        }
    }

    private static InferenceSession OpenSession(string path, string problem)
    {
        try
        {
            return CreateSession(path, prepack: true);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new QuantizeException(ErrorCodes.RuntimeRejectedModel, path, $"{problem} ({ex.Message}).", ex);
        }
    }

    private static InferenceSession CreateSession(string path, bool prepack)
    {
        using var options = CreateSessionOptions();
        if (!prepack)
        {
            // A load check only (see QuantizeEngine's): no packed weight copies, no folded float32 copies.
            options.AddSessionConfigEntry("session.disable_prepacking", "1");
            options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
        }

        return new InferenceSession(path, options);
    }
}
