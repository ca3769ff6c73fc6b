using System.Diagnostics;
using System.Globalization;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Diagnostics;
using Quantize.Core.Passes.Int8Static;
using Quantize.Core.Safety;

namespace Quantize.Core;

/// <summary>
/// Static INT8 from calibration data in one call: pre-process the model the way the static pass will, run
/// the streaming calibrator on that pre-processed graph (its tensor names are the ones the pass looks up),
/// then hand the ranges to <see cref="QuantizeEngine"/>, which writes and verifies as for every precision.
/// Ranges can be kept in a JSON file stamped with a <see cref="CalibrationFingerprint"/>: a later run with
/// the same model, data, preprocessing and method loads them instead of calibrating again.
/// </summary>
internal static class CalibratedQuantizer
{
    /// <summary>
    /// Calibrates <paramref name="inputPath"/> on <paramref name="data"/> and writes its static INT8 (QDQ) form
    /// to <paramref name="stagedPath"/>. Bad calibration data fails with QNT0014–QNT0017 before anything is written.
    /// </summary>
    /// <param name="inputPath">The float model.</param>
    /// <param name="stagedPath">Where to write the quantized model: a path in the run's <see cref="StagedOutput"/>.</param>
    /// <param name="options">Quantizer settings; the precision must be INT8.</param>
    /// <param name="data">Where the calibration samples come from.</param>
    /// <param name="calibration">The calibration method and its settings.</param>
    /// <param name="rangesCachePath">A ranges JSON file to reuse when its fingerprint matches and to write otherwise; null calibrates every time.</param>
    /// <param name="progress">Receives short phase descriptions ("calibrating (32 samples)"...).</param>
    /// <param name="verifyOutput">Load the written model in ONNX Runtime before reporting success.</param>
    /// <param name="fingerprint">The <see cref="CalibrationFingerprint"/> of this model, data and method when the caller already
    /// computed it (the build's cache key includes it); null computes it here when <paramref name="rangesCachePath"/> is set.</param>
    public static QuantizeResult Quantize(string inputPath, string stagedPath, QuantizeOptions options, CalibrationDataOptions data,
        CalibrationOptions calibration, string? rangesCachePath = null, IProgress<string>? progress = null, bool verifyOutput = true, string? fingerprint = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(calibration);
        if (!Uses(options))
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, inputPath, $"Calibration data applies to INT8 (static) and to INT4 with Int4Method=Gptq or Awq only, not {options.Precision}{(options.Precision == Precision.Int4 ? " with round to nearest" : "")}.");
        }

        return Quantize(inputPath, stagedPath, options, Calibrate(inputPath, options, new CalibrationSetup(data, calibration, rangesCachePath, fingerprint), progress), progress, verifyOutput);
    }

    /// <summary>True when <paramref name="options"/> quantize with calibration data: INT8 (static) and INT4 with GPTQ or AWQ.</summary>
    public static bool Uses(QuantizeOptions options) =>
        options.Precision == Precision.Int8 || (options.Precision == Precision.Int4 && options.Int4Method.NeedsCalibrationData());

    /// <summary>
    /// Obtains what calibration gives once (static INT8's ranges, calibrating or loading saved ones; INT4 GPTQ's
    /// Hessians), for quantizing several times with different exclusions.
    /// </summary>
    internal static CalibratedRanges Calibrate(string inputPath, QuantizeOptions options, CalibrationSetup setup, IProgress<string>? progress)
    {
        var clock = Stopwatch.StartNew();
        if (options.Precision == Precision.Int4)
        {
            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"collecting {options.Int4Method.ToString().ToUpperInvariant()} statistics ({ExpectedSamples(setup.Data)} samples)"));
            var (model, _) = Onnx.ModelReader.Load(inputPath);
            var (hessians, observed) = HessianCollector.Collect(model, inputPath, setup.Data);
            return new CalibratedRanges(null, new CalibrationReport($"{options.Int4Method.ToString().ToUpperInvariant()} (XᵀX of each MatMul input)", observed, clock.Elapsed, false, null),
                FewSamplesWarning(inputPath, observed, setup.Options), null, setup.Data, hessians);
        }

        var (ranges, preprocessed, samples, reused, warnings) = ObtainRanges(inputPath, options.Static, setup, progress);
        return new CalibratedRanges(ranges, new CalibrationReport(ranges.Method, samples, clock.Elapsed, reused, setup.RangesCachePath), warnings, preprocessed, setup.Data);
    }

    /// <summary>Quantizes into <paramref name="stagedPath"/> with ranges obtained by <see cref="Calibrate"/>; the result reports them as if calibrated now.</summary>
    internal static QuantizeResult Quantize(string inputPath, string stagedPath, QuantizeOptions options, CalibratedRanges calibrated,
        IProgress<string>? progress, bool verifyOutput)
    {
        // The first attempt takes the model calibration pre-processed; a later one (mixed precision) pre-processes again.
        var result = QuantizeEngine.Write(inputPath, stagedPath, options, calibrated.ForOneQuantization(), progress, verifyOutput);
        result.Calibration = calibrated.Report;
        result.Warnings.InsertRange(0, calibrated.Warnings);
        result.Elapsed += calibrated.Report.Elapsed;
        return result;
    }

    /// <summary>The ranges, and the pre-processed model when calibration produced it (null when saved ranges were reused).</summary>
    private static (ActivationRanges Ranges, Onnx.ModelProto? Preprocessed, int Samples, bool Reused, IReadOnlyList<Diagnostic> Warnings) ObtainRanges(
        string inputPath, StaticInt8Options staticOptions, CalibrationSetup setup, IProgress<string>? progress)
    {
        var (data, calibration, rangesCachePath, fingerprint) = (setup.Data, setup.Options, setup.RangesCachePath, setup.Fingerprint);
        Diagnostic? damaged = null;
        if (rangesCachePath is not null)
        {
            fingerprint ??= CalibrationFingerprint.Compute(inputPath, data, calibration, staticOptions.CrossLayerEqualization);
            if (ActivationRangesFile.TryLoadMatching(rangesCachePath, fingerprint, out var damage) is { } saved)
            {
                progress?.Report($"reusing calibration ranges ({rangesCachePath})");
                return (saved.Ranges, null, saved.Stamp.SampleCount, true, FewSamplesWarning(inputPath, saved.Stamp.SampleCount, calibration));
            }

            if (damage is not null)
            {
                damaged = new Diagnostic(ErrorCodes.RangesCacheInvalid, inputPath,
                    $"The saved calibration ranges '{rangesCachePath}' were ignored: {damage}. The model is calibrated again and the file rewritten.");
            }
        }

        progress?.Report("pre-processing");
        // The static pass quantizes this same pre-processed graph (it is handed over, not made again): BatchNormalization
        // outputs become Conv outputs, folded constants disappear, so only its tensor names have ranges the pass can use.
        var preprocessed = StaticPreprocessor.Optimize(inputPath, staticOptions);
        var reader = new CalibrationDataReader(preprocessed, data);
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"calibrating ({ExpectedSamples(data)} samples, {calibration.Method})"));
        var outcome = ActivationCalibrator.Calibrate(preprocessed, inputPath, reader.Read(), calibration);
        if (rangesCachePath is not null)
        {
            ActivationRangesFile.Save(outcome.Ranges, rangesCachePath, new RangesStamp(fingerprint!, outcome.SampleCount));
        }

        return (outcome.Ranges, preprocessed, outcome.SampleCount, false, damaged is null ? outcome.Warnings : [damaged, .. outcome.Warnings]);
    }

    private static IReadOnlyList<Diagnostic> FewSamplesWarning(string inputPath, int samples, CalibrationOptions calibration) =>
        samples >= calibration.MinimumSamples ? [] :
        [new Diagnostic(ErrorCodes.FewCalibrationSamples, inputPath,
            string.Create(CultureInfo.InvariantCulture, $"Calibrated on only {samples} sample(s); ranges from fewer than {calibration.MinimumSamples} may not represent real inputs."))];

    /// <summary>
    /// The sample count for the progress line, known before reading: one per file (per folder for ONNX .pb
    /// test data), one per non-blank line of a .txt file, capped by <see cref="CalibrationDataOptions.MaxSamples"/>,
    /// then only those in the <see cref="CalibrationDataOptions.Split"/> part.
    /// </summary>
    internal static int ExpectedSamples(CalibrationDataOptions data)
    {
        var files = CalibrationFiles.Resolve(data.Sources, data.BaseDirectory);
        long count = files.Count(f => !IsExtension(f, ".pb") && !IsExtension(f, ".txt"))
            + files.Where(f => IsExtension(f, ".pb")).Select(Path.GetDirectoryName).Distinct(StringComparer.Ordinal).Count()
            + files.Where(f => IsExtension(f, ".txt")).Sum(TextLines);
        int total = (int)Math.Min(count, data.MaxSamples ?? int.MaxValue);
        if (data.Split is not { Every: >= 2 } split)
        {
            return total;
        }

        // Positions 0, Every, 2·Every... are held out.
        int heldOut = (total + split.Every - 1) / split.Every;
        return split.Part == SplitPart.HeldOut ? heldOut : total - heldOut;
    }

    private static long TextLines(string file)
    {
        try
        {
            return File.ReadLines(file).LongCount(line => !string.IsNullOrWhiteSpace(line));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0; // Only the progress line is affected; reading the samples reports the file (QNT0017).
        }
    }

    private static bool IsExtension(string file, string extension) => Path.GetExtension(file).Equals(extension, StringComparison.OrdinalIgnoreCase);
}
