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
/// Streaming calibration with ONNX Runtime: a copy of the model declares the tensors to observe as extra
/// graph outputs; each sample is run once, and every fetched tensor is folded into its running statistics
/// and released before the next one. Memory is one sample's activations plus the per-tensor statistics
/// (a few numbers for MinMax, a fixed histogram otherwise), never the whole set.
/// </summary>
public static class ActivationCalibrator
{
    /// <summary>
    /// Calibrates <paramref name="model"/> (loaded from <paramref name="modelPath"/>) on <paramref name="samples"/>.
    /// <paramref name="tensors"/> defaults to every float32 activation: the float graph inputs and the float
    /// outputs of the main graph's nodes (Constant nodes excluded: those are weights).
    /// </summary>
    public static CalibrationOutcome Calibrate(ModelProto model, string modelPath, IEnumerable<CalibrationSample> samples,
        CalibrationOptions options, IReadOnlyCollection<string>? tensors = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options, modelPath);

        var inputs = ModelInput.Of(model);
        using var session = OpenObservingSession(model, modelPath, tensors, out var fetched);
        var inputNames = inputs.Select(i => i.Name).ToArray();
        var observedInputs = inputs.Where(i => tensors?.Contains(i.Name) ?? true).Select(i => i.Name).ToList();
        var statistics = new Dictionary<string, ITensorStatistics>(StringComparer.Ordinal);
        foreach (var name in fetched.Concat(observedInputs))
        {
            statistics[name] = Create(options);
        }

        int count = 0;
        using var runOptions = new RunOptions();
        foreach (var sample in samples)
        {
            SampleValidator.Validate(sample, inputs);
            count++;
            foreach (var name in observedInputs)
            {
                if (sample.Inputs[name].ElementType == TensorProto.Types.DataType.Float)
                {
                    statistics[name].Add(sample.Inputs[name].FloatSpan);
                }
            }

            if (fetched.Length == 0)
            {
                continue;
            }

            var values = new OrtValue[inputNames.Length];
            try
            {
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = sample.Inputs[inputNames[i]].ToOrtValue();
                }

                using var outputs = Run(session, runOptions, inputNames, values, fetched, sample.Source);
                for (int i = 0; i < fetched.Length; i++)
                {
                    statistics[fetched[i]].Add(outputs[i].GetTensorDataAsSpan<float>());
                }
            }
            finally
            {
                foreach (var value in values)
                {
                    value?.Dispose();
                }
            }
        }

        if (count == 0)
        {
            throw new QuantizeException(ErrorCodes.CalibrationDataEmpty, modelPath, "No calibration samples were given; Quantize.Build never calibrates on random data.");
        }

        var ranges = new Dictionary<string, TensorRange>(StringComparer.Ordinal);
        foreach (var (name, statistic) in statistics)
        {
            if (statistic.Range() is TensorRange range)
            {
                ranges[name] = range;
            }
        }

        var warnings = new List<Diagnostic>();
        if (count < options.MinimumSamples)
        {
            warnings.Add(new Diagnostic(ErrorCodes.FewCalibrationSamples, modelPath,
                string.Create(CultureInfo.InvariantCulture, $"Calibrated on only {count} sample(s); ranges from fewer than {options.MinimumSamples} may not represent real inputs.")));
        }

        return new CalibrationOutcome(new ActivationRanges(ranges, options.Description), count, warnings);
    }

    /// <summary>Reads the samples of <paramref name="data"/> (see <see cref="CalibrationDataReader"/>) and calibrates on them.</summary>
    public static CalibrationOutcome Calibrate(ModelProto model, string modelPath, CalibrationDataOptions data, CalibrationOptions options,
        IReadOnlyCollection<string>? tensors = null) =>
        Calibrate(model, modelPath, new CalibrationDataReader(model, data).Read(), options, tensors);

    /// <summary>
    /// A session on a copy of the model whose extra outputs are the tensors to observe. Weights are shared
    /// with the caller's model (protobuf ByteStrings are immutable), so only the serialized copy ORT reads
    /// is extra. <paramref name="fetched"/> gets the float32 ones, in graph order, as ORT typed them.
    /// </summary>
    private static InferenceSession OpenObservingSession(ModelProto model, string modelPath, IReadOnlyCollection<string>? tensors, out string[] fetched)
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

    private static IDisposableReadOnlyCollection<OrtValue> Run(InferenceSession session, RunOptions runOptions, string[] inputNames, OrtValue[] values, string[] fetched, string source)
    {
        try
        {
            return session.Run(runOptions, inputNames, values, fetched);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new QuantizeException(ErrorCodes.CalibrationInputMismatch, source, $"ONNX Runtime rejected calibration sample '{source}': {ex.Message}", ex);
        }
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
            _ when options.Method == CalibrationMethod.Entropy && options.QuantizedLevels / 2 > options.Bins / 2 => "Entropy needs at least as many histogram bins as quantized levels.",
            _ => null,
        };
        if (problem is not null)
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, modelPath, problem);
        }
    }
}
