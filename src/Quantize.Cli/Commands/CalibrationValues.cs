using System.Globalization;
using Quantize.Core;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Diagnostics;

namespace Quantize.Cli.Commands;

/// <summary>
/// Parses the text values of the static INT8 settings, shared by the command line (<c>--calibration-method</c>...)
/// and the build's <c>QuantizedModel</c> metadata (<c>CalibrationMethod="..."</c>...), so both accept the same
/// spellings (case-insensitive) and report the same QNT0009 messages. Null or empty text gives the default;
/// <c>setting</c> is how the caller names the value in messages (<c>--resize</c> or <c>ResizeMode</c>).
/// </summary>
internal static class CalibrationValues
{
    /// <summary>minmax (default), percentile or entropy.</summary>
    public static CalibrationMethod Method(string? text, string setting, string source) => Normalize(text) switch
    {
        "" or "minmax" => CalibrationMethod.MinMax,
        "percentile" => CalibrationMethod.Percentile,
        "entropy" => CalibrationMethod.Entropy,
        _ => throw Invalid(source, setting, text, "minmax, percentile or entropy"),
    };

    /// <summary>u8 (default, also uint8) or s8 (also int8).</summary>
    public static ActivationType Activation(string? text, string setting, string source) => Normalize(text) switch
    {
        "" or "u8" or "uint8" => ActivationType.UInt8,
        "s8" or "int8" => ActivationType.Int8,
        _ => throw Invalid(source, setting, text, "u8 or s8"),
    };

    /// <summary>stretch (default) or crop (also center-crop, centercrop).</summary>
    public static ResizeMode Resize(string? text, string setting, string source) => Normalize(text) switch
    {
        "" or "stretch" => ResizeMode.Stretch,
        "crop" or "center-crop" or "centercrop" => ResizeMode.CenterCrop,
        _ => throw Invalid(source, setting, text, "stretch or crop"),
    };

    /// <summary>rgb (default) or bgr.</summary>
    public static ChannelOrder Channels(string? text, string setting, string source) => Normalize(text) switch
    {
        "" or "rgb" => ChannelOrder.Rgb,
        "bgr" => ChannelOrder.Bgr,
        _ => throw Invalid(source, setting, text, "rgb or bgr"),
    };

    /// <summary>nchw or nhwc; null (default) infers the layout from the model input.</summary>
    public static TensorLayout? Layout(string? text, string setting, string source) => Normalize(text) switch
    {
        "" => null,
        "nchw" => TensorLayout.Nchw,
        "nhwc" => TensorLayout.Nhwc,
        _ => throw Invalid(source, setting, text, "nchw or nhwc"),
    };

    /// <summary>WIDTHxHEIGHT, both positive; null when not given.</summary>
    public static (int Width, int Height)? Size(string? text, string setting, string source)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var parts = text.Split('x', 'X');
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h) && w > 0 && h > 0
            ? (w, h)
            : throw new QuantizeException(ErrorCodes.InvalidOption, source, $"{setting} '{text}' must be WIDTHxHEIGHT, e.g. 224x224.");
    }

    /// <summary>
    /// Per-channel mean or std: one number for every channel, or three or four comma-separated ones (one per
    /// channel of the model input); null when not given.
    /// </summary>
    public static float[]? ChannelValues(string? text, string setting, string source)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new float[parts.Length];
        bool numbers = parts.Select((p, i) => float.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])).All(ok => ok);
        return numbers && values.Length is 1 or 3 or 4
            ? values
            : throw new QuantizeException(ErrorCodes.InvalidOption, source, $"{setting} '{text}' must be one number for every channel or one per channel (3, or 4 with alpha), comma-separated, e.g. 0.485,0.456,0.406.");
    }

    /// <summary>A percentile in (0, 100].</summary>
    public static double Percentile(double value, string setting, string source) =>
        value is > 0 and <= 100 ? value : throw new QuantizeException(ErrorCodes.InvalidOption, source, string.Create(CultureInfo.InvariantCulture, $"{setting} {value} is not in (0, 100]."));

    /// <summary>A percentile in (0, 100] given as text.</summary>
    public static double Percentile(string text, string setting, string source) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var p)
            ? Percentile(p, setting, source)
            : throw new QuantizeException(ErrorCodes.InvalidOption, source, $"{setting} '{text}' is not a number in (0, 100].");

    /// <summary>A float (the image scale).</summary>
    public static float Number(string text, string setting, string source) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new QuantizeException(ErrorCodes.InvalidOption, source, $"{setting} '{text}' is not a number.");

    /// <summary>An image decode limit in megapixels (positive) as a pixel count; null for the default.</summary>
    public static long? MaxPixels(double? megapixels, string setting, string source) => megapixels switch
    {
        null => null,
        > 0 and <= 1e6 => (long)(megapixels.Value * 1e6),
        _ => throw new QuantizeException(ErrorCodes.InvalidOption, source, string.Create(CultureInfo.InvariantCulture, $"{setting} {megapixels} must be a positive number of megapixels (at most 1000000).")),
    };

    private static string Normalize(string? text) => text?.Trim().ToLowerInvariant() ?? "";

    private static QuantizeException Invalid(string source, string setting, string? text, string allowed) =>
        new(ErrorCodes.InvalidOption, source, $"Unknown {setting} '{text}'. Use {allowed}.");
}
