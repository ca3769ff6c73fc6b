using System.Globalization;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Calibration.Statistics;
using Quantize.Core.Diagnostics;
using Quantize.Core.Onnx;

namespace Quantize.Core.Calibration;

/// <summary>
/// Streaming calibration with ONNX Runtime, one sample at a time from the caller's side: a copy of the model
/// declares the tensors to observe as extra graph outputs; samples are run in batches (see
/// <see cref="CalibrationOptions.BatchSize"/>), and every fetched tensor is folded into its running statistics
/// straight from ONNX Runtime's memory and released before the next batch. Memory is one batch's activations
/// plus the per-tensor statistics (a few numbers for MinMax, a fixed histogram otherwise), never the whole set.
/// The ranges do not depend on the batching: MinMax is exact, and histograms are order- and batch-independent.
/// </summary>
public sealed class StreamingCalibrator : IDisposable
{
    /// <summary>A batch whose fetched activations would exceed this many bytes is made smaller.</summary>
    private const long ActivationBudgetBytes = 256L << 20;

    /// <summary>A batch whose fetched activations reach this many bytes is folded in on several cores.</summary>
    private const long ParallelFoldBytes = 1L << 20;

    private readonly string _modelPath;
    private readonly CalibrationOptions _options;
    private readonly IReadOnlyList<ModelInput> _inputs;
    private readonly string[] _inputNames;
    private readonly string[] _fetched;
    private readonly List<string> _observedInputs;
    private readonly Dictionary<string, ITensorStatistics> _statistics = new(StringComparer.Ordinal);
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly SampleBatcher _batcher;
    private readonly List<string> _notes = [];
    private int _count;

    /// <summary>
    /// Opens the observing session for <paramref name="model"/> (loaded from <paramref name="modelPath"/>).
    /// <paramref name="tensors"/> defaults to every float32 activation: the float graph inputs and the float
    /// outputs of the main graph's nodes (Constant nodes excluded: those are weights).
    /// </summary>
    public StreamingCalibrator(ModelProto model, string modelPath, CalibrationOptions options, IReadOnlyCollection<string>? tensors = null)
        : this(model, modelPath, options, tensors, statistics: null)
    {
    }

    /// <summary>
    /// As above, with the statistics each tensor gathers chosen by the caller (GPTQ's Hessians) instead of the method's
    /// ranges. <paramref name="optimize"/> false runs the graph exactly as written (a QDQ model then computes in float
    /// with explicit rounding, as its Q/DQ nodes say, instead of being fused into integer kernels first).
    /// </summary>
    internal StreamingCalibrator(ModelProto model, string modelPath, CalibrationOptions options, IReadOnlyCollection<string>? tensors, Func<string, ITensorStatistics>? statistics,
        bool optimize = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options, modelPath);
        _modelPath = modelPath;
        _options = options;
        _inputs = ModelInput.Of(model);
        _inputNames = [.. _inputs.Select(i => i.Name)];
        _observedInputs = [.. _inputs.Where(i => tensors?.Contains(i.Name) ?? true).Select(i => i.Name)];
        _session = OpenObservingSession(model, modelPath, tensors, optimize, out _fetched);
        foreach (var name in _fetched.Concat(_observedInputs))
        {
            _statistics[name] = statistics?.Invoke(name) ?? Create(options);
        }

        _batcher = new SampleBatcher(ChooseBatchSize());
    }

    /// <summary>Samples per ONNX Runtime call actually used (smaller than asked when the model cannot batch).</summary>
    public int BatchSize => _batcher.BatchSize;

    /// <summary>Validates <paramref name="sample"/> against the model and folds it in (possibly when its batch fills).</summary>
    public void Add(CalibrationSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        SampleValidator.Validate(sample, _inputs);
        _count++;
        foreach (var name in _observedInputs)
        {
            if (sample.Inputs[name].ElementType == TensorProto.Types.DataType.Float)
            {
                _statistics[name].Add(sample.Inputs[name].FloatSpan);
            }
        }

        if (_fetched.Length > 0 && _batcher.Add(sample) is { } batch)
        {
            RunBatch(batch);
        }
    }

    /// <summary>Runs what is still waiting and returns the ranges of everything added.</summary>
    public CalibrationOutcome Complete()
    {
        foreach (var batch in _batcher.Drain())
        {
            RunBatch(batch);
        }

        if (_count == 0)
        {
            throw new QuantizeException(ErrorCodes.CalibrationDataEmpty, _modelPath, "No calibration samples were given; Quantize.Build never calibrates on random data.");
        }

        // Threshold searches (entropy: ~1000 candidate windows per tensor) are independent per tensor.
        var statistics = _statistics.ToArray();
        var found = new TensorRange?[statistics.Length];
        Parallel.For(0, statistics.Length, i => found[i] = statistics[i].Value.Range());
        var ranges = new Dictionary<string, TensorRange>(StringComparer.Ordinal);
        for (int i = 0; i < statistics.Length; i++)
        {
            if (found[i] is TensorRange range)
            {
                ranges[statistics[i].Key] = range;
            }
        }

        // A float input with no finite value in any sample (all NaN or infinite) calibrates nothing real downstream.
        var floatInputs = _observedInputs.Where(n => _inputs.First(i => i.Name == n).ElementType == TensorProto.Types.DataType.Float).ToList();
        var hollow = floatInputs.FirstOrDefault(n => !ranges.ContainsKey(n));
        if (hollow is not null || (ranges.Count == 0 && statistics.Length > 0))
        {
            throw new QuantizeException(ErrorCodes.CalibrationNotFinite, _modelPath, string.Create(CultureInfo.InvariantCulture,
                $"Calibration on {_count} sample(s) found no finite value {(hollow is null ? $"in any of the {statistics.Length} observed tensors" : $"in input '{hollow}'")}: the data is all NaN or infinite, so there is no range to quantize with."));
        }

        var warnings = new List<Diagnostic>();
        if (_count < _options.MinimumSamples)
        {
            warnings.Add(new Diagnostic(ErrorCodes.FewCalibrationSamples, _modelPath,
                string.Create(CultureInfo.InvariantCulture, $"Calibrated on only {_count} sample(s); ranges from fewer than {_options.MinimumSamples} may not represent real inputs.")));
        }

        return new CalibrationOutcome(new ActivationRanges(ranges, _options.Description), _count, warnings) { Notes = [.. _notes] };
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }

    /// <summary>
    /// The batch size: the asked one when every input's first dimension is symbolic (a batch axis), else 1.
    /// MinMax moving average is defined over per-sample ranges, so it always runs one sample at a time.
    /// </summary>
    private int ChooseBatchSize()
    {
        if (_options.BatchSize <= 1)
        {
            return 1;
        }

        if (_options.Method == CalibrationMethod.MinMax && _options.MovingAverage)
        {
            _notes.Add("MinMax moving average averages per-sample ranges, so calibration ran one sample at a time.");
            return 1;
        }

        if (_inputs.Count == 0 || _inputs.Any(i => i.Dims is not { Count: > 0 } dims || dims[0] is not null))
        {
            _notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"Calibration ran one sample at a time: the model's first input dimension is fixed ({string.Join(", ", _inputs.Select(i => $"{i.Name} {i.ShapeText}"))}), so samples cannot be batched."));
            return 1;
        }

        return _options.BatchSize;
    }

    private void RunBatch(IReadOnlyList<CalibrationSample> batch)
    {
        var values = SampleBatcher.Concatenate(batch, _inputNames);
        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            outputs = _session.Run(_runOptions, _inputNames, values, _fetched);
        }
        catch (OnnxRuntimeException ex)
        {
            if (batch.Count == 1)
            {
                throw new QuantizeException(ErrorCodes.CalibrationInputMismatch, batch[0].Source, $"ONNX Runtime rejected calibration sample '{batch[0].Source}': {ex.Message}", ex);
            }

            // A symbolic first dimension that is no batch axis after all (a Reshape with the batch baked in):
            // run these and all later samples one at a time, which also names a sample that is really bad.
            _batcher.BatchSize = 1;
            _notes.Add("Calibration ran one sample at a time: ONNX Runtime could not run the model on a batch of samples.");
            foreach (var sample in batch)
            {
                RunBatch([sample]);
            }

            return;
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }

        using (outputs)
        {
            long bytes = 0;
            for (int i = 0; i < _fetched.Length; i++)
            {
                bytes += outputs[i].GetTensorTypeAndShape().ElementCount * sizeof(float);
            }

            // Each tensor's statistics are independent (their own bins and scratch), so they are folded in
            // parallel straight from ONNX Runtime's buffers while ORT itself waits for the next batch; the
            // result does not depend on the order. Small batches are not worth the scheduling.
            if (bytes >= ParallelFoldBytes)
            {
                Parallel.For(0, _fetched.Length, i => Fold(_fetched[i], outputs[i]));
            }
            else
            {
                for (int i = 0; i < _fetched.Length; i++)
                {
                    Fold(_fetched[i], outputs[i]);
                }
            }

            // Keep one batch's activations within the budget (a big model with a batch axis).
            if (_batcher.BatchSize > 1 && bytes / batch.Count * _batcher.BatchSize > ActivationBudgetBytes)
            {
                _batcher.BatchSize = (int)Math.Max(1, ActivationBudgetBytes / Math.Max(1, bytes / batch.Count));
            }
        }
    }

    private void Fold(string name, OrtValue value) =>
        _statistics[name].Add(value.GetTensorDataAsSpan<float>(), value.GetTensorTypeAndShape().Shape);

    /// <summary>
    /// A session on a copy of the model whose extra outputs are the tensors to observe. Weights are shared
    /// with the caller's model (protobuf ByteStrings are immutable), so only the serialized copy ORT reads
    /// is extra. <paramref name="fetched"/> gets the float32 ones, in graph order, as ORT typed them.
    /// </summary>
    private static InferenceSession OpenObservingSession(ModelProto model, string modelPath, IReadOnlyCollection<string>? tensors, bool optimize, out string[] fetched)
    {
        var wanted = tensors?.ToHashSet(StringComparer.Ordinal);
        var observing = model.Clone();
        var graph = observing.Graph;
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var candidates = new List<string>();
        foreach (var node in graph.Node)
        {
            if (node.OpType == "Constant" && node.Domain is "" or "ai.onnx")
            {
                continue;
            }

            foreach (var output in node.Output)
            {
                if (output.Length > 0 && (wanted?.Contains(output) ?? true))
                {
                    candidates.Add(output);
                    if (outputs.Add(output))
                    {
                        graph.Output.Add(new ValueInfoProto { Name = output });
                    }
                }
            }
        }

        using var sessionOptions = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        if (!optimize)
        {
            sessionOptions.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
        }

        InferenceSession session;
        try
        {
            session = new InferenceSession(observing.ToByteArray(), sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new QuantizeException(ErrorCodes.RuntimeRejectedModel, modelPath, $"ONNX Runtime cannot load '{modelPath}' for calibration: {ex.Message}", ex);
        }

        var metadata = session.OutputMetadata;
        fetched = [.. candidates.Distinct(StringComparer.Ordinal).Where(name =>
            metadata.TryGetValue(name, out var m) && m.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR && m.ElementDataType == TensorElementType.Float)];
        return session;
    }

    private static ITensorStatistics Create(CalibrationOptions options) => options.Method switch
    {
        CalibrationMethod.MinMax => new MinMaxStatistics(options.MovingAverage ? options.AveragingConstant : null),
        CalibrationMethod.Percentile when options.SymmetricPercentile => new HistogramStatistics(options.Bins, h => PercentileThreshold.Symmetric(h, options.Percentile)),
        CalibrationMethod.Percentile => new HistogramStatistics(options.Bins, h => PercentileThreshold.PerSide(h, options.Percentile)),
        _ => new HistogramStatistics(options.Bins, h => EntropyThreshold.Search(h, options.QuantizedLevels)),
    };

    private static void Validate(CalibrationOptions options, string modelPath)
    {
        string? problem = options switch
        {
            { Percentile: <= 0 or > 100 } => "The calibration percentile must be in (0, 100].",
            { AveragingConstant: <= 0 or > 1 } => "The moving-average constant must be in (0, 1].",
            { Bins: < 2 } or { Bins: > 1 << 24 } => "The histogram bin count must be between 2 and 16777216.",
            _ when options.Bins % 2 != 0 => "The histogram bin count must be even (the histogram is symmetric around zero).",
            { QuantizedLevels: < 2 } => "The quantized level count must be at least 2.",
            { BatchSize: < 1 } => "The calibration batch size must be at least 1.",
            _ when options.Method == CalibrationMethod.Entropy && options.QuantizedLevels / 2 > options.Bins / 2 => "Entropy needs at least as many histogram bins as quantized levels.",
            _ => null,
        };
        if (problem is not null)
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, modelPath, problem);
        }
    }
}
