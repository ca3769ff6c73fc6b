using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Diagnostics;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// Prepares a float model for static quantization the way ONNX Runtime's own pre-processing does: its
/// basic (level 1) graph optimizations fold BatchNormalization into the preceding Conv, fold constants and
/// remove no-op nodes. ORT writes the optimized graph to a file; basic optimizations are provider-independent
/// (no fused or layout-specific nodes: those come from the extended and layout levels), so the saved model
/// is plain ONNX at the original opset. Calibration should observe this same graph: tensor names survive
/// (a Conv absorbing a BatchNormalization takes over the BatchNormalization's output name), but a tensor
/// folded away has no range to use. Cross-layer equalization, when chosen, is part of this pre-processing: it
/// rescales the optimized graph's weights, so calibration and the pass see the same equalized graph.
/// </summary>
public static class StaticPreprocessor
{
    /// <summary>
    /// Returns the basic-optimized form of the model stored at <paramref name="modelPath"/>, with the Conv pairs
    /// <paramref name="staticOptions"/> choose equalized.
    /// </summary>
    public static ModelProto Optimize(string modelPath, StaticInt8Options staticOptions)
    {
        // ONNX Runtime resolves the model's external data itself: vet the locations first.
        ExternalData.Vet(modelPath);
        Safety.StaleStaging.Sweep(Path.GetTempPath());
        var folder = Path.Combine(Path.GetTempPath(), Safety.StaleStaging.NewName("quantize-preprocess-"));
        Directory.CreateDirectory(folder);
        try
        {
            var optimizedPath = Path.Combine(folder, "preprocessed.onnx");
            using (var options = new SessionOptions
            {
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
                OptimizedModelFilePath = optimizedPath,
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
            })
            {
                // Pre-packed weights are a property of the session, not of the saved file: skip the work.
                options.AddSessionConfigEntry("session.disable_prepacking", "1");
                using var session = new InferenceSession(modelPath, options);
            }

            var optimized = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimizedPath));
            Graph.NodeNames.AssignMissing(optimized);
            CrossLayerEqualization.Apply(optimized, staticOptions.CrossLayerEqualization);
            return optimized;
        }
        catch (OnnxRuntimeException ex)
        {
            throw new QuantizeException(ErrorCodes.RuntimeRejectedModel, modelPath,
                $"ONNX Runtime cannot load '{modelPath}' to pre-process it for static quantization: {ex.Message}", ex);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
