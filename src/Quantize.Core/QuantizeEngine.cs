using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Calibration;
using Quantize.Core.Diagnostics;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using Quantize.Core.Passes;
using Quantize.Core.Passes.Overrides;
using Quantize.Core.Safety;

namespace Quantize.Core;

/// <summary>The engine's front door: read a model, run one precision's pass, write the result.</summary>
public static class QuantizeEngine
{
    /// <summary>
    /// Quantizes <paramref name="inputPath"/> into <paramref name="outputPath"/>. On any failure the output
    /// is not created (or an existing one is left as it was) and a <see cref="QuantizeException"/> says why.
    /// </summary>
    /// <param name="inputPath">The float model.</param>
    /// <param name="outputPath">Where to write the quantized model.</param>
    /// <param name="options">What to do.</param>
    /// <param name="progress">Receives short phase descriptions ("reading", "quantizing"...).</param>
    /// <param name="verifyOutput">Load the written model in ONNX Runtime before reporting success.</param>
    public static QuantizeResult Quantize(string inputPath, string outputPath, QuantizeOptions options, IProgress<string>? progress = null, bool verifyOutput = true)
        => Quantize(inputPath, outputPath, options, ranges: null, progress, verifyOutput);

    /// <summary>
    /// Quantizes <paramref name="inputPath"/> into <paramref name="outputPath"/> using calibrated activation
    /// <paramref name="ranges"/>: with ranges, INT8 is static (QDQ); without, the same as the overload above.
    /// </summary>
    /// <param name="inputPath">The float model.</param>
    /// <param name="outputPath">Where to write the quantized model.</param>
    /// <param name="options">What to do.</param>
    /// <param name="ranges">Calibrated activation ranges of the float model's tensors, or null.</param>
    /// <param name="progress">Receives short phase descriptions ("reading", "quantizing"...).</param>
    /// <param name="verifyOutput">Load the written model in ONNX Runtime before reporting success.</param>
    public static QuantizeResult Quantize(string inputPath, string outputPath, QuantizeOptions options, ActivationRanges? ranges, IProgress<string>? progress = null, bool verifyOutput = true)
    {
        OutputTarget.Check(inputPath, outputPath);
        return StagedOutput.Produce(outputPath, staged => Write(inputPath, staged, options, ranges is null ? null : new CalibrationInputs(ranges), progress, verifyOutput));
    }

    /// <summary>
    /// Quantizes <paramref name="inputPath"/> and writes the result to <paramref name="stagedPath"/>, a path in a
    /// <see cref="StagedOutput"/> folder (written in place: the caller moves it into place once every check passed).
    /// <paramref name="calibrated"/> is what calibration obtained (ranges, the pre-processed graph when calibration
    /// already made it so ONNX Runtime does not optimize the model a second time, GPTQ's statistics), or null.
    /// </summary>
    internal static QuantizeResult Write(string inputPath, string stagedPath, QuantizeOptions options, CalibrationInputs? calibrated,
        IProgress<string>? progress, bool verifyOutput)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptions(options, inputPath);
        var clock = Stopwatch.StartNew();
        var result = new QuantizeResult();

        progress?.Report("reading");
        // Named afresh for each write: a quality check writes several attempts into one staging folder.
        var spillPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(stagedPath))!, $"weights-{Guid.NewGuid():N}.spill");
        result.BytesAfter = RewriteAndSave(inputPath, stagedPath, options, calibrated, result, spillPath, progress);
        SpillFile.Delete(spillPath);
        if (verifyOutput)
        {
            progress?.Report("verifying with ONNX Runtime");
            ReleaseManagedMemory();
            VerifyLoads(stagedPath, inputPath);
        }

        result.Elapsed = clock.Elapsed;
        return result;
    }

    /// <summary>
    /// The element type quantizing <paramref name="inputPath"/> with <paramref name="options"/> would give its float32
    /// graph inputs and outputs, or null when their types stay as they are: the pass's own answer
    /// (<see cref="IQuantizationPass.InterfaceType"/>), for design-time manifests that must match the real build's
    /// without quantizing. Per-node overrides never change the interface.
    /// </summary>
    public static TensorProto.Types.DataType? InterfaceType(string inputPath, QuantizeOptions options, bool calibrated)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptions(options, inputPath);
        var (model, _) = ModelReader.Load(inputPath);
        NodeNames.AssignMissing(model);
        var overrides = OverridePlan.Create(options.Overrides, model, inputPath, options);
        return PassRegistry.For(options.Precision, calibrated).InterfaceType(Context(model, inputPath, options, overrides, new QuantizeResult()));
    }

    /// <summary>What a pass works on: the model, the options, and the nodes left alone (exclusions and override selectors).</summary>
    private static PassContext Context(ModelProto model, string inputPath, QuantizeOptions options, OverridePlan overrides, QuantizeResult result,
        CalibrationInputs? calibrated = null, IProgress<string>? progress = null, SpillFile? spill = null) =>
        new(model, inputPath, options, NodeSelector.Create(options.Exclude.Concat(overrides.Selectors), model, inputPath), result)
        {
            Ranges = calibrated?.Ranges,
            Preprocessed = calibrated?.Preprocessed,
            Hessians = calibrated?.Hessians,
            CalibrationData = calibrated?.Data,
            BiasShifts = calibrated?.BiasShifts ?? new(),
            EightBit = overrides.EightBit,
            Progress = progress,
            Spill = spill,
        };

    /// <summary>
    /// Rewrites the model and writes it to <paramref name="stagedPath"/>; returns the bytes written. The parsed model
    /// lives in this frame only, so once this returns ONNX Runtime can load the result into memory the model no longer
    /// occupies, and peak memory is the larger phase, not the sum. (Not inlined: unoptimized code keeps every local of a
    /// method alive to its end, and the caller goes on to verify.)
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long RewriteAndSave(string inputPath, string stagedPath, QuantizeOptions options, CalibrationInputs? calibrated, QuantizeResult result,
        string spillPath, IProgress<string>? progress)
    {
        using var spill = new SpillFile(spillPath);
        var model = Rewrite(inputPath, options, calibrated, result, spill, progress);
        progress?.Report("writing");
        return ModelWriter.Save(model, stagedPath, options.ExternalData, spill);
    }

    /// <summary>Reads the model and runs the precision's pass on it; returns the rewritten, sorted model.</summary>
    private static ModelProto Rewrite(string inputPath, QuantizeOptions options, CalibrationInputs? calibrated, QuantizeResult result, SpillFile? spill, IProgress<string>? progress)
    {
        var (model, storedBytes) = ModelReader.Load(inputPath);
        result.BytesBefore = storedBytes;
        NodeNames.AssignMissing(model);
        var overrides = OverridePlan.Create(options.Overrides, model, inputPath, options);
        // Weights read from a mapping (external data: a large model) stay out of managed memory, and so do the tensors
        // the pass creates from them, through the spill file; a model read whole into memory keeps its new tensors there.
        bool mapped = ModelTensors.All(model).Any(t => MappedFile.IsMapped(t.RawData));
        var context = Context(model, inputPath, options, overrides, result, calibrated, progress, mapped ? spill : null);
        var ranges = calibrated?.Ranges;

        progress?.Report($"quantizing to {options.Precision}");
        PassRegistry.For(options.Precision, ranges is not null).Run(context);
        overrides.Apply(model, inputPath, options, result);
        if (result.QuantizedByOpType.Count == 0 && !result.Unchanged)
        {
            result.Warnings.Add(new Diagnostic(ErrorCodes.NothingQuantized, inputPath,
                $"Nothing in the model was eligible for {options.Precision}; the output equals the input apart from formatting.{StaticInt8Hint(model, options, ranges)}"));
        }

        UnusedDefinitions.Remove(model);
        TopologicalSorter.SortAll(model.Graph);
        return model;
    }

    /// <summary>
    /// Dynamic INT8 and INT4 quantize only MatMul/Gemm-style weights (and embeddings): on a convolutional model they
    /// find nothing, and the way to a smaller, faster CNN is static INT8 with calibration data. Empty otherwise.
    /// </summary>
    private static string StaticInt8Hint(ModelProto model, QuantizeOptions options, ActivationRanges? ranges) =>
        ranges is null && options.Precision is Precision.Int8 or Precision.Int4
        && GraphWalker.AllGraphs(model.Graph).Any(g => g.Node.Any(n => n.OpType is "Conv" or "ConvTranspose"))
            ? " Convolutions are quantized by static INT8 only: give calibration data (--calibration-data, or CalibrationData on the QuantizedModel item) with precision Int8."
            : "";

    private static void ValidateOptions(QuantizeOptions options, string path)
    {
        if (options.BlockSize is int blockSize && (blockSize < 16 || (blockSize & (blockSize - 1)) != 0))
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, path, $"Block size {blockSize} must be a power of two, at least 16.");
        }

        if (options.AccuracyLevel is < 0 or > 4)
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, path, $"Accuracy level {options.AccuracyLevel} must be between 0 and 4.");
        }

        if (options.MinElements < 0)
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, path, $"Minimum tensor size {options.MinElements} must not be negative.");
        }
    }

    /// <summary>
    /// Gives the released parsed model's memory back before ONNX Runtime loads a model (the verification here, or
    /// the quality check's sessions), so the native load fits where it was instead of adding to it. A full
    /// compacting collection costs tens of milliseconds, so only callers about to load pay it.
    /// </summary>
    internal static void ReleaseManagedMemory()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        MappedFile.ReleaseAllResident();
    }

    /// <summary>
    /// Session options for a load check (a session that proves a model loads and never runs): quiet, and no
    /// pre-packed weight copies, which would only add memory. No graph optimizations either: constant folding would
    /// materialize float32 copies of converted weights (BF16's Casts), and every kernel is resolved without them.
    /// </summary>
    internal static SessionOptions LoadCheckOptions()
    {
        var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        options.AddSessionConfigEntry("session.disable_prepacking", "1");
        return options;
    }

    /// <summary>Refuses to ship a model ONNX Runtime cannot load; the staged file is deleted.</summary>
    internal static void VerifyLoads(string stagedPath, string inputPath)
    {
        try
        {
            using var sessionOptions = LoadCheckOptions();
            using var session = new InferenceSession(stagedPath, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw RejectedOutput.Blame(inputPath, ex);
        }
    }
}
