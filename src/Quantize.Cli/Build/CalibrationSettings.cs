using System.Globalization;
using Quantize.Cli.Commands;
using Quantize.Core;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Diagnostics;

namespace Quantize.Cli.Build;

/// <summary>
/// The static INT8 metadata of a <c>QuantizedModel</c> item (CalibrationData, CalibrationMethod, image and text
/// preprocessing) as a <see cref="CalibrationRequest"/>, the same shape the CLI's options produce. Paths
/// (CalibrationData, Vocab) are relative to the project folder, like every path in a project file.
/// </summary>
internal static class CalibrationSettings
{
    /// <summary>True when the item asks for static INT8: Precision=Int8 with CalibrationData set.</summary>
    public static bool IsStatic(IReadOnlyDictionary<string, string> settings, Precision precision) =>
        precision == Precision.Int8 && Sources(settings).Count > 0;

    /// <summary>The ActivationType metadata (U8 by default).</summary>
    public static ActivationType Activation(IReadOnlyDictionary<string, string> settings, string source) =>
        ModelSettings.Get(settings, "ActivationType")?.ToLowerInvariant() switch
        {
            null or "" or "u8" or "uint8" => ActivationType.UInt8,
            "s8" or "int8" => ActivationType.Int8,
            var other => throw Invalid(source, $"ActivationType='{other}' is not U8 or S8."),
        };

    /// <summary>The calibration part of the item, or null when it is not static INT8. <paramref name="rangesCachePath"/> is where ranges are kept.</summary>
    public static CalibrationRequest? Parse(IReadOnlyDictionary<string, string> settings, QuantizeOptions options, string source, string projectDirectory, Func<CalibrationDataOptions, CalibrationOptions, string> rangesCachePath)
    {
        if (!IsStatic(settings, options.Precision))
        {
            return null;
        }

        var calibration = new CalibrationOptions
        {
            Method = ModelSettings.Get(settings, "CalibrationMethod")?.ToLowerInvariant() switch
            {
                null or "" or "minmax" => CalibrationMethod.MinMax,
                "percentile" => CalibrationMethod.Percentile,
                "entropy" => CalibrationMethod.Entropy,
                var other => throw Invalid(source, $"CalibrationMethod='{other}' is not MinMax, Percentile or Entropy."),
            },
        };
        if (ModelSettings.Get(settings, "Percentile") is { Length: > 0 } percentile)
        {
            calibration = calibration with
            {
                Percentile = double.TryParse(percentile, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p > 0 && p <= 100
                    ? p
                    : throw Invalid(source, $"Percentile='{percentile}' is not a number in (0, 100]."),
            };
        }

        var data = DataOptions(settings, Sources(settings), "CalibrationSamples", source, projectDirectory);
        return new CalibrationRequest(data, calibration, rangesCachePath(data, calibration));
    }

    /// <summary>
    /// Data files as the item declares them: <paramref name="sources"/> relative to the project, at most the count in
    /// the <paramref name="samplesMetadata"/> metadata, decoded with the item's image and text preprocessing (shared by
    /// calibration and validation data: both feed the same model).
    /// </summary>
    public static CalibrationDataOptions DataOptions(IReadOnlyDictionary<string, string> settings, IReadOnlyList<string> sources, string samplesMetadata, string source, string projectDirectory) => new()
    {
        Sources = sources,
        BaseDirectory = projectDirectory,
        MaxSamples = ModelSettings.Get(settings, samplesMetadata) is { Length: > 0 } ? (int)ModelSettings.Long(settings, samplesMetadata, 0, source) : null,
        Image = Image(settings, source),
        Text = ModelSettings.Get(settings, "Vocab") is { Length: > 0 } vocab
            ? new TextTokenization
            {
                VocabularyPath = Path.GetFullPath(vocab, projectDirectory),
                MaxLength = ModelSettings.Get(settings, "MaxLength") is { Length: > 0 } ? (int)ModelSettings.Long(settings, "MaxLength", 128, source) : 128,
            }
            : null,
    };

    /// <summary>A ';'-separated path list metadata (CalibrationData, ValidationData).</summary>
    public static List<string> PathList(IReadOnlyDictionary<string, string> settings, string name) =>
        (ModelSettings.Get(settings, name) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static List<string> Sources(IReadOnlyDictionary<string, string> settings) => PathList(settings, "CalibrationData");

    private static ImagePreprocessing Image(IReadOnlyDictionary<string, string> settings, string source)
    {
        var defaults = new ImagePreprocessing();
        int? width = null, height = null;
        if (ModelSettings.Get(settings, "ImageSize") is { Length: > 0 } size)
        {
            var parts = size.Split('x', 'X');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h) || w <= 0 || h <= 0)
            {
                throw Invalid(source, $"ImageSize='{size}' must be WIDTHxHEIGHT, e.g. 224x224.");
            }

            (width, height) = (w, h);
        }

        return new ImagePreprocessing
        {
            Width = width,
            Height = height,
            Resize = ModelSettings.Get(settings, "ResizeMode")?.ToLowerInvariant() switch
            {
                null or "" or "stretch" => ResizeMode.Stretch,
                "crop" or "center-crop" or "centercrop" => ResizeMode.CenterCrop,
                var other => throw Invalid(source, $"ResizeMode='{other}' is not Stretch or Crop."),
            },
            Channels = ModelSettings.Get(settings, "ChannelOrder")?.ToLowerInvariant() switch
            {
                null or "" or "rgb" => ChannelOrder.Rgb,
                "bgr" => ChannelOrder.Bgr,
                var other => throw Invalid(source, $"ChannelOrder='{other}' is not Rgb or Bgr."),
            },
            Layout = ModelSettings.Get(settings, "Layout")?.ToLowerInvariant() switch
            {
                null or "" => null,
                "nchw" => TensorLayout.Nchw,
                "nhwc" => TensorLayout.Nhwc,
                var other => throw Invalid(source, $"Layout='{other}' is not NCHW or NHWC."),
            },
            Scale = ModelSettings.Get(settings, "Scale") is { Length: > 0 } scale
                ? float.TryParse(scale, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : throw Invalid(source, $"Scale='{scale}' is not a number.")
                : defaults.Scale,
            Mean = Triple(settings, "Mean", source) ?? defaults.Mean,
            Std = Triple(settings, "Std", source) ?? defaults.Std,
        };
    }

    private static float[]? Triple(IReadOnlyDictionary<string, string> settings, string name, string source)
    {
        if (ModelSettings.Get(settings, name) is not { Length: > 0 } text)
        {
            return null;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
            {
                values = [];
                break;
            }
        }

        return values.Length == 3 ? values : throw Invalid(source, $"{name}='{text}' must be three comma-separated numbers, e.g. 0.485,0.456,0.406.");
    }

    private static QuantizeException Invalid(string source, string message) => new(ErrorCodes.InvalidOption, source, message);
}
