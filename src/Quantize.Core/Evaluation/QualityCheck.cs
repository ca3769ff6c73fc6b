using System.Globalization;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Diagnostics;

namespace Quantize.Core.Evaluation;

/// <summary>
/// The quality check of one model, prepared once and then run on any number of quantization attempts: each
/// <see cref="Attempt"/> quantizes (with extra exclusions, for mixed precision) to a path and measures the
/// result against the float model. Calibration runs once and its ranges serve every attempt. Gates are not
/// checked here: the caller decides what a failure means (<see cref="CheckedQuantizer"/> refuses to write,
/// a mixed-precision search tries the next mix).
/// </summary>
internal sealed class QualityCheck
{
    private readonly string _inputPath;
    private readonly QuantizeOptions _options;
    private readonly EvaluationData _data;
    private CalibratedRanges? _ranges;

    private QualityCheck(string inputPath, QuantizeOptions options, QualityCheckOptions quality, EvaluationData data)
    {
        _inputPath = inputPath;
        _options = options;
        Options = quality;
        _data = data;
    }

    /// <summary>What is measured and gated.</summary>
    public QualityCheckOptions Options { get; }

    /// <summary>The float model.</summary>
    public string InputPath => _inputPath;

    /// <summary>The quantizer settings every attempt starts from.</summary>
    public QuantizeOptions QuantizeOptions => _options;

    /// <summary>The samples accuracy is compared on; null when there are none.</summary>
    public CalibrationDataOptions? EvaluationSamples => _data.Samples;

    /// <summary>True when attempts are static INT8 (calibrated; the pass rewrites ONNX Runtime's pre-processed graph).</summary>
    public bool IsStatic => _data.Calibration is not null;

    /// <summary>
    /// Validates the settings and decides the evaluation data before anything is quantized: QNT0009 for gates
    /// that cannot be measured as configured, QNT0020 for accuracy gates without any data.
    /// </summary>
    public static QualityCheck Prepare(string inputPath, QuantizeOptions options, QualityCheckOptions quality, CalibrationSetup? calibration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(quality);
        if (quality.Gates.MinSpeedup is not null && !quality.SpeedCheck)
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, inputPath, "MinSpeedup needs the speed check; it was turned off.");
        }

        if (quality.Gates.MaxTop1Drop is not null && quality.Top1Outputs.Count == 0)
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, inputPath, "MaxTop1Drop needs an output declared as class scores (Top1, --top1).");
        }

        if (quality.AutoMixedPrecision && (!quality.NeedsAccuracy || quality.MaxFallbacks < 1))
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, inputPath, quality.NeedsAccuracy
                ? $"MaxFallbacks {quality.MaxFallbacks} must be at least 1 for AutoMixedPrecision."
                : "AutoMixedPrecision needs an accuracy gate to meet (MinCosine, MinSqnr or MaxTop1Drop).");
        }

        if (quality.SpeedBudget < TimeSpan.Zero)
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, inputPath, "The speed check's time budget must not be negative.");
        }

        return new QualityCheck(inputPath, options, quality, EvaluationData.Resolve(inputPath, quality, calibration));
    }

    /// <summary>
    /// Quantizes the model with <paramref name="extraExclusions"/> kept in float into <paramref name="outputPath"/>
    /// and measures it; the result's <see cref="QuantizeResult.Quality"/> holds the measurements (no gate verdicts).
    /// </summary>
    /// <param name="outputPath">Where to write this attempt (a staging path: gates are not checked yet).</param>
    /// <param name="extraExclusions">Node names or op types to keep in float on top of the options' own.</param>
    /// <param name="measureSpeed">Run the speed check (when <see cref="QualityCheckOptions.SpeedCheck"/> allows it).</param>
    /// <param name="progress">Receives phase descriptions.</param>
    public QuantizeResult Attempt(string outputPath, IReadOnlyList<string> extraExclusions, bool measureSpeed, IProgress<string>? progress)
    {
        ArgumentNullException.ThrowIfNull(extraExclusions);
        var options = extraExclusions.Count == 0 ? _options : _options with { Exclude = [.. _options.Exclude, .. extraExclusions] };
        // No separate load check: measuring opens the quantized model in ONNX Runtime anyway (QNT0011 if it cannot).
        var result = Quantize(outputPath, options, progress, verifyOutput: false);
        result.Quality = Measure(outputPath, result, measureSpeed && Options.SpeedCheck, progress);
        return result;
    }

    private QuantizeResult Quantize(string outputPath, QuantizeOptions options, IProgress<string>? progress, bool verifyOutput)
    {
        if (_data.Calibration is not { } calibration)
        {
            return QuantizeEngine.Write(_inputPath, outputPath, options, calibrated: null, progress, verifyOutput);
        }

        _ranges ??= CalibratedQuantizer.Calibrate(_inputPath, _options, calibration, progress);
        return CalibratedQuantizer.Quantize(_inputPath, outputPath, options, _ranges, progress, verifyOutput);
    }

    private QualityReport Measure(string quantizedPath, QuantizeResult result, bool measureSpeed, IProgress<string>? progress)
    {
        var report = new QualityReport
        {
            ModelPath = _inputPath,
            Precision = _options.Precision + (result.Calibration is null ? "" : _options.Precision == Core.Precision.Int8 ? " static" : " " + _options.Int4Method.ToString().ToUpperInvariant()),
            BytesBefore = result.BytesBefore,
            BytesAfter = result.BytesAfter,
            Gates = Options.Gates,
        };
        report.Fallbacks.AddRange(result.Overridden);
        if (_data.Samples is null)
        {
            // Said out loud: no comparison is not the same as a passed one (the collapse guard had nothing to judge).
            report.Notes.Add(_data.Calibration is null && Options.ValidationData is null
                ? "Accuracy was not checked: there is no data to compare with the float model on (validation data, or calibration data to hold samples out of)."
                : "Accuracy was not checked: the comparison with the float model was turned off.");
        }

        if (measureSpeed && Options.Gates.MinSpeedup is null && (result.Unchanged || result.QuantizedByOpType.Count == 0))
        {
            // Timing two identical graphs costs up to a minute on a large model and can only measure noise (a MinSpeedup
            // gate still gets its measurement, and fails).
            measureSpeed = false;
            report.Notes.Add("No speed check: nothing was quantized, so the output runs exactly what the input does.");
        }

        QuantizeEngine.ReleaseManagedMemory();
        if (_data.Samples is null && !(measureSpeed && CanTime(quantizedPath)))
        {
            // Nothing to compare or time: the load check alone, without holding the float model in ONNX Runtime too.
            // Attempt skipped the engine's own; with the speed check on, CanTime's shape lookup was it.
            if (measureSpeed)
            {
                NothingToTime(report);
            }
            else
            {
                QuantizeEngine.VerifyLoads(quantizedPath, _inputPath);
                if (Options.SpeedCheck is false)
                {
                    report.Notes.Add("The speed check was turned off.");
                }
            }

            return report;
        }

        using var pair = ModelPair.Open(_inputPath, quantizedPath);
        CheckTop1Outputs(pair);
        CalibrationSample? first = null;
        var timings = measureSpeed ? new RunTimings() : null;
        if (_data.Samples is { } samples)
        {
            progress?.Report("evaluating against the float model");
            var read = new CalibrationDataReader(pair.Inputs, samples).Read().Select(s =>
            {
                first ??= s; // Kept for the speed check, so it times a real input without reading the data again.
                return s;
            });
            var evaluation = ModelEvaluator.Evaluate(pair, read, "", Options.Top1Outputs, timings);
            report.Evaluation = evaluation with { DataSource = _data.Describe(evaluation.SampleCount, result.Calibration?.SampleCount) };
        }

        if (_data.Note is { } note)
        {
            report.Notes.Add(note);
        }

        if (measureSpeed)
        {
            if (DecoderSignature.Find(pair.Inputs) is { } decoder)
            {
                progress?.Report("timing prefill and decode, float vs quantized");
                report.Decoder = DecoderSpeed.Measure(pair, decoder, Options.PromptLength, Options.DecodeContext, Options.SpeedBudget);
                report.Speed = report.Decoder.Decode;
                if (report.Decoder.Prefill is { IsClearlySlower: true } prefill)
                {
                    result.Warnings.Add(new Diagnostic(ErrorCodes.SlowerThanFloat, _inputPath, string.Create(CultureInfo.InvariantCulture,
                        $"The quantized model's prefill of {Options.PromptLength} tokens is slower than the float original's on this machine's CPU: {prefill.QuantizedMedianMs:0.###} ms vs {prefill.FloatMedianMs:0.###} ms (speedup {prefill.Speedup:0.00}x{Noise(prefill)}).")));
                }
            }
            else
            {
                report.Speed = timings is { Count: >= RunTimings.EnoughForSpeed }
                    ? FromEvaluation(timings, report)
                    : MeasureSpeed(pair, first, report, progress);
            }

            if (report.Speed is { IsClearlySlower: true } speed)
            {
                result.Warnings.Add(new Diagnostic(ErrorCodes.SlowerThanFloat, _inputPath, string.Create(CultureInfo.InvariantCulture,
                    $"The quantized model is slower than the float original on this machine's CPU: {speed.QuantizedMedianMs:0.###} ms vs {speed.FloatMedianMs:0.###} ms per {(report.Decoder is null ? "run" : "decode step")} (median of {speed.Runs} interleaved runs each, speedup {speed.Speedup:0.00}x{Noise(speed)}).")));
            }
            else if (report.Speed is { Speedup: < 1 } within)
            {
                report.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"The quantized model's median is slightly slower than float (speedup {within.Speedup:0.00}x{Noise(within)}), within the measurement's noise: no warning."));
            }
        }
        else if (Options.SpeedCheck is false)
        {
            report.Notes.Add("The speed check was turned off.");
        }

        return report;
    }

    private static string Noise(SpeedResult speed) => speed.Interval is { } i
        ? string.Create(CultureInfo.InvariantCulture, $", 95% interval of the per-round speedup {i.Low:0.00}x to {i.High:0.00}x")
        : "";

    /// <summary>
    /// The evaluation already ran both models on every sample, interleaved: with enough samples their medians
    /// are the latency over real inputs, and a second round of runs would only double the cost.
    /// </summary>
    private static SpeedResult FromEvaluation(RunTimings timings, QualityReport report)
    {
        report.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"Latency is the median over {timings.Count} evaluation samples (after {RunTimings.WarmUpSamples} warm-up), float and quantized runs interleaved."));
        return timings.ToSpeedResult();
    }

    /// <summary>The dedicated speed check, on the first sample, or all-zero inputs when there is no data and shapes are fixed; null when skipped.</summary>
    private SpeedResult? MeasureSpeed(ModelPair pair, CalibrationSample? first, QualityReport report, IProgress<string>? progress)
    {
        var inputs = first?.Inputs ?? FirstAvailableSample(pair)?.Inputs;
        if (inputs is null && SpeedCheck.ZeroInputs(pair.Inputs) is { } zeros)
        {
            inputs = zeros;
            report.Notes.Add("The speed check ran on all-zero inputs: there is no data, and every input has a fixed shape.");
        }

        if (inputs is null)
        {
            NothingToTime(report);
            return null;
        }

        progress?.Report("timing float vs quantized");
        return SpeedCheck.Measure(pair, inputs, Options.SpeedBudget);
    }

    /// <summary>No data and symbolic input dimensions: a MinSpeedup gate cannot be measured (QNT0020); otherwise a note.</summary>
    private void NothingToTime(QualityReport report)
    {
        if (Options.Gates.MinSpeedup is not null)
        {
            throw new QuantizeException(ErrorCodes.EvaluationDataMissing, _inputPath,
                $"'{_inputPath}' has a MinSpeedup gate but nothing to time it on: its inputs have symbolic dimensions and there is no validation or calibration data.");
        }

        report.Notes.Add("The speed check was skipped: there is no data, and the inputs have symbolic dimensions, so no sample can be made up.");
    }

    /// <summary>
    /// True when the speed check has an input to time: some data, fixed input shapes to fill with zeros, or a decoder
    /// whose prefill and decode inputs can be made up (<see cref="DecoderSignature"/>). Learning
    /// the shapes opens the quantized model, which is also its load check (QNT0011) when nothing else will.
    /// </summary>
    private bool CanTime(string quantizedPath) =>
        Options.ValidationData is not null || _data.Calibration is not null
        || ModelPair.VerifyQuantized(_inputPath, quantizedPath) is var inputs && (SpeedCheck.ZeroInputs(inputs) is not null || DecoderSignature.Find(inputs) is not null);

    /// <summary>The first sample of whatever data there is, when evaluation did not read one (it was not asked for).</summary>
    private CalibrationSample? FirstAvailableSample(ModelPair pair)
    {
        var data = Options.ValidationData ?? _data.Calibration?.Data;
        return data is null ? null : new CalibrationDataReader(pair.Inputs, data with { Split = null, MaxSamples = 1 }).Read().First();
    }

    private void CheckTop1Outputs(ModelPair pair)
    {
        var unknown = Options.Top1Outputs.Where(o => !pair.Outputs.Contains(o)).ToList();
        if (unknown.Count > 0)
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, _inputPath,
                $"Top-1 output{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown.Select(o => $"'{o}'"))} not found; the model's outputs are {string.Join(", ", pair.Outputs.Select(o => $"'{o}'"))}.");
        }
    }
}
