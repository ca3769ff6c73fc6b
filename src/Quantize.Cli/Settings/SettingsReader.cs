using Quantize.Cli.Commands;
using Quantize.Core;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Diagnostics;
using Quantize.Core.Evaluation;
using Quantize.Core.Settings;
using S = Quantize.Core.Settings.QuantizeSettings;

namespace Quantize.Cli.Settings;

/// <summary>
/// The one parser of a model's settings: <see cref="SettingValues"/> (from an item's metadata or the command line)
/// into the engine's option records. A setting not given takes the record's default. Relative paths resolve against
/// the base directory: the project folder in a build, the current directory (null) on the command line.
/// </summary>
internal static class SettingsReader
{
    /// <summary>The engine options; a missing or unknown precision is QNT0003, any other bad value QNT0009.</summary>
    public static QuantizeOptions Options(SettingValues values)
    {
        var precision = Precision(values);
        var defaults = new QuantizeOptions { Precision = precision };
        var staticDefaults = new StaticInt8Options();
        bool calibrated = IsStatic(values, precision);
        // PerChannel not given follows the mode: per-tensor for dynamic INT8, per-channel for static.
        bool perChannel = values.Bool(S.PerChannel) ?? (calibrated ? staticDefaults.PerChannel : defaults.PerChannel);
        return defaults with
        {
            Exclude = values.List(S.Exclude).Distinct(StringComparer.Ordinal).ToList(),
            Overrides = [.. values.List(S.Overrides).SelectMany(entry => PrecisionOverride.ParseEntry(entry, values.Source))],
            KeepIoTypes = values.Bool(S.KeepIoTypes) ?? defaults.KeepIoTypes,
            MinElements = values.Integer(S.MinElements) ?? defaults.MinElements,
            PerChannel = perChannel,
            BlockSize = (int?)values.Integer(S.BlockSize),
            Symmetric = values.Bool(S.Symmetric) ?? defaults.Symmetric,
            AccuracyLevel = (int?)values.Integer(S.AccuracyLevel) ?? defaults.AccuracyLevel,
            StandardOnnxInt4 = SettingWords.StandardOnnxInt4(values) ?? defaults.StandardOnnxInt4,
            Int4Method = SettingWords.Int4Method(values) ?? defaults.Int4Method,
            GptqActOrder = values.Bool(S.GptqActOrder) ?? defaults.GptqActOrder,
            ExternalData = SettingWords.ExternalData(values) ?? defaults.ExternalData,
            Static = staticDefaults with
            {
                PerChannel = perChannel,
                ActivationType = SettingWords.Activation(values) ?? staticDefaults.ActivationType,
                BiasCorrection = SettingWords.BiasCorrection(values) ?? staticDefaults.BiasCorrection,
                CrossLayerEqualization = SettingWords.CrossLayerEqualization(values) ?? staticDefaults.CrossLayerEqualization,
                ClipSaturatedRanges = values.Bool(S.ClipSaturatedRanges) ?? staticDefaults.ClipSaturatedRanges,
                AvoidSlowPatterns = values.Bool(S.AvoidSlowPatterns) ?? staticDefaults.AvoidSlowPatterns,
            },
        };
    }

    /// <summary>True when the settings ask for static INT8: INT8 with calibration data.</summary>
    public static bool IsStatic(SettingValues values, Precision precision) =>
        precision == Core.Precision.Int8 && values.List(S.CalibrationData).Count > 0;

    /// <summary>
    /// The calibration part, or null when the run uses no calibration data (it does for static INT8 and for INT4 with
    /// GPTQ or AWQ, which require it: QNT0009 without). <paramref name="rangesCachePath"/> says where calibrated ranges are kept
    /// (null: nowhere).
    /// </summary>
    public static CalibrationRequest? Calibration(SettingValues values, QuantizeOptions options, string? baseDirectory, Func<CalibrationDataOptions, CalibrationOptions, string?> rangesCachePath)
    {
        bool measuresLayers = options.Precision == Core.Precision.Int4 && options.Int4Method.NeedsCalibrationData();
        if (measuresLayers && values.List(S.CalibrationData).Count == 0)
        {
            throw values.Invalid(S.Int4Method, values.Text(S.Int4Method), $"needs calibration data to measure each layer's inputs: set {(values.Spelling(S.Int4Method).StartsWith('-') ? "--calibration-data" : "CalibrationData")}");
        }

        if (!measuresLayers && !IsStatic(values, options.Precision))
        {
            return null;
        }

        var defaults = new CalibrationOptions();
        var calibration = defaults with
        {
            Method = SettingWords.Method(values) ?? defaults.Method,
            Percentile = values.Number(S.Percentile, min: double.Epsilon, max: 100) ?? defaults.Percentile,
        };
        var data = Data(values, S.CalibrationData, S.CalibrationSamples, baseDirectory);
        return new CalibrationRequest(data, calibration, rangesCachePath(data, calibration));
    }

    /// <summary>
    /// The files of <paramref name="sources"/> (at most <paramref name="samples"/> of them), decoded with the image
    /// and text preprocessing settings: calibration and validation data feed the same model, so both read the same way.
    /// </summary>
    public static CalibrationDataOptions Data(SettingValues values, Setting sources, Setting samples, string? baseDirectory) => new()
    {
        Sources = values.List(sources),
        BaseDirectory = baseDirectory,
        MaxSamples = (int?)values.Integer(samples, min: 1),
        Image = Image(values),
        Text = values.Text(S.Vocab) is { } vocab
            ? new TextTokenization
            {
                VocabularyPath = baseDirectory is null ? Path.GetFullPath(vocab) : Path.GetFullPath(vocab, baseDirectory),
                MaxLength = (int?)values.Integer(S.MaxLength, min: 2) ?? TextTokenization.DefaultMaxLength,
            }
            : null,
    };

    /// <summary>
    /// The quality check as the settings give it: <see cref="QualityCheckOptions.Evaluate"/> is the QualityCheck
    /// switch; entry points with their own rule for when to compare (the CLI) adjust it.
    /// </summary>
    /// <param name="values">The settings.</param>
    /// <param name="baseDirectory">What ValidationData and Vocab are relative to (null: the current directory).</param>
    /// <param name="outputNames">The float model's graph outputs (Metric=Top1 declares them all class scores); asked only then.</param>
    public static QualityCheckOptions Quality(SettingValues values, string? baseDirectory, Func<IReadOnlyList<string>> outputNames)
    {
        var defaults = new QualityCheckOptions();
        bool check = values.Bool(S.QualityCheck) ?? true;
        return defaults with
        {
            ValidationData = values.Has(S.ValidationData) ? Data(values, S.ValidationData, S.ValidationSamples, baseDirectory) : null,
            Top1Outputs = Top1Outputs(values, outputNames),
            Gates = new QualityGates
            {
                MinCosine = values.Number(S.MinCosine, min: -1, max: 1),
                MinSqnr = values.Number(S.MinSqnr),
                MaxTop1Drop = values.Number(S.MaxTop1Drop, min: 0, max: 1),
                MinSpeedup = values.Number(S.MinSpeedup, min: 0),
            },
            Evaluate = check,
            SpeedCheck = check && (values.Bool(S.SpeedCheck) ?? defaults.SpeedCheck),
            AutoMixedPrecision = values.Bool(S.AutoMixedPrecision) ?? defaults.AutoMixedPrecision,
            CollapseGuard = values.Bool(S.CollapseGuard) ?? defaults.CollapseGuard,
            MaxFallbacks = (int?)values.Integer(S.MaxFallbacks, min: 0) ?? defaults.MaxFallbacks,
            PromptLength = (int?)values.Integer(S.PromptLength, min: 1) ?? defaults.PromptLength,
            DecodeContext = (int?)values.Integer(S.DecodeContext, min: 0) ?? defaults.DecodeContext,
        };
    }

    private static Precision Precision(SettingValues values)
    {
        var text = values.Text(S.Precision);
        if (text is null || !PrecisionNames.TryParse(text, out var precision))
        {
            throw new QuantizeException(ErrorCodes.UnknownPrecision, values.Source,
                text is null
                    ? $"No precision was given. Set {values.Spelling(S.Precision)} to one of: {PrecisionNames.Accepted}."
                    : $"Unknown precision '{text}'. Use one of: {PrecisionNames.Accepted}.");
        }

        return precision;
    }

    private static ImagePreprocessing Image(SettingValues values)
    {
        var defaults = new ImagePreprocessing();
        var size = SettingWords.Size(values);
        return defaults with
        {
            Width = size?.Width,
            Height = size?.Height,
            Resize = SettingWords.Resize(values) ?? defaults.Resize,
            Channels = SettingWords.Channels(values) ?? defaults.Channels,
            Layout = SettingWords.Layout(values),
            Scale = (float?)values.Number(S.Scale) ?? defaults.Scale,
            Mean = SettingWords.ChannelValues(values, S.Mean) ?? defaults.Mean,
            Std = SettingWords.ChannelValues(values, S.Std) ?? defaults.Std,
            MaxPixels = SettingWords.MaxPixels(values) ?? defaults.MaxPixels,
        };
    }

    /// <summary>Metric: Cosine (nothing extra), Top1 (every output holds class scores) or Top1:OUTPUT[;OUTPUT...].</summary>
    private static List<string> Top1Outputs(SettingValues values, Func<IReadOnlyList<string>> outputNames)
    {
        var metric = values.Text(S.Metric);
        if (metric is null || metric.Equals("Cosine", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        const string Top1 = "Top1";
        if (!metric.StartsWith(Top1, StringComparison.OrdinalIgnoreCase) || (metric.Length > Top1.Length && metric[Top1.Length] != ':'))
        {
            throw values.Invalid(S.Metric, metric, "is not Cosine, Top1 or Top1:OUTPUT[;OUTPUT...]");
        }

        var named = metric.Length > Top1.Length
            ? metric[(Top1.Length + 1)..].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList()
            : [];
        return named.Count > 0 ? named : [.. outputNames()];
    }
}
