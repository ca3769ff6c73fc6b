using Quantize.Cli.Commands;
using Quantize.Core;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;

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
        CalibrationValues.Activation(ModelSettings.Get(settings, "ActivationType"), "ActivationType", source);

    /// <summary>The calibration part of the item, or null when it is not static INT8. <paramref name="rangesCachePath"/> is where ranges are kept.</summary>
    public static CalibrationRequest? Parse(IReadOnlyDictionary<string, string> settings, QuantizeOptions options, string source, string projectDirectory, Func<CalibrationDataOptions, CalibrationOptions, string> rangesCachePath)
    {
        if (!IsStatic(settings, options.Precision))
        {
            return null;
        }

        var calibration = new CalibrationOptions { Method = CalibrationValues.Method(ModelSettings.Get(settings, "CalibrationMethod"), "CalibrationMethod", source) };
        if (ModelSettings.Get(settings, "Percentile") is { Length: > 0 } percentile)
        {
            calibration = calibration with { Percentile = CalibrationValues.Percentile(percentile, "Percentile", source) };
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
        var size = CalibrationValues.Size(ModelSettings.Get(settings, "ImageSize"), "ImageSize", source);
        return new ImagePreprocessing
        {
            Width = size?.Width,
            Height = size?.Height,
            Resize = CalibrationValues.Resize(ModelSettings.Get(settings, "ResizeMode"), "ResizeMode", source),
            Channels = CalibrationValues.Channels(ModelSettings.Get(settings, "ChannelOrder"), "ChannelOrder", source),
            Layout = CalibrationValues.Layout(ModelSettings.Get(settings, "Layout"), "Layout", source),
            Scale = ModelSettings.Get(settings, "Scale") is { Length: > 0 } scale ? CalibrationValues.Number(scale, "Scale", source) : defaults.Scale,
            Mean = CalibrationValues.ChannelValues(ModelSettings.Get(settings, "Mean"), "Mean", source) ?? defaults.Mean,
            Std = CalibrationValues.ChannelValues(ModelSettings.Get(settings, "Std"), "Std", source) ?? defaults.Std,
            MaxPixels = ModelSettings.Get(settings, "MaxImageMegapixels") is { Length: > 0 } megapixels
                ? CalibrationValues.MaxPixels(CalibrationValues.Number(megapixels, "MaxImageMegapixels", source), "MaxImageMegapixels", source) ?? defaults.MaxPixels
                : defaults.MaxPixels,
        };
    }
}
