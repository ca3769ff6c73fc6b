using System.Globalization;
using Quantize.Core;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Settings;

namespace Quantize.Cli.Settings;

/// <summary>
/// The word-valued settings (methods, modes, sizes, channel values) read from <see cref="SettingValues"/>: the same
/// spellings (case-insensitive) and QNT0009 messages whether they came from a project or the command line. A setting
/// that was not given reads as null, and the caller takes the engine's default.
/// </summary>
internal static class SettingWords
{
    /// <summary>minmax, percentile or entropy.</summary>
    public static CalibrationMethod? Method(SettingValues values) => Word(values, QuantizeSettings.CalibrationMethod) switch
    {
        null => null,
        "minmax" => CalibrationMethod.MinMax,
        "percentile" => CalibrationMethod.Percentile,
        "entropy" => CalibrationMethod.Entropy,
        var text => throw Unknown(values, QuantizeSettings.CalibrationMethod, text, "minmax, percentile or entropy"),
    };

    /// <summary>u8 (also uint8) or s8 (also int8).</summary>
    public static ActivationType? Activation(SettingValues values) => Word(values, QuantizeSettings.ActivationType) switch
    {
        null => null,
        "u8" or "uint8" => ActivationType.UInt8,
        "s8" or "int8" => ActivationType.Int8,
        var text => throw Unknown(values, QuantizeSettings.ActivationType, text, "u8 or s8"),
    };

    /// <summary>depthwise, all or none.</summary>
    public static BiasCorrectionScope? BiasCorrection(SettingValues values) => Word(values, QuantizeSettings.BiasCorrection) switch
    {
        null => null,
        "depthwise" => BiasCorrectionScope.Depthwise,
        "all" => BiasCorrectionScope.All,
        "none" or "false" => BiasCorrectionScope.None,
        var text => throw Unknown(values, QuantizeSettings.BiasCorrection, text, "depthwise, all or none"),
    };

    /// <summary>none, exact or relu6.</summary>
    public static EqualizationScope? CrossLayerEqualization(SettingValues values) => Word(values, QuantizeSettings.CrossLayerEqualization) switch
    {
        null => null,
        "none" or "false" => EqualizationScope.None,
        "exact" => EqualizationScope.Exact,
        "relu6" => EqualizationScope.ReplaceRelu6,
        var text => throw Unknown(values, QuantizeSettings.CrossLayerEqualization, text, "none, exact or relu6"),
    };

    /// <summary>True for qdq (standard ONNX int4), false for matmulnbits.</summary>
    public static bool? StandardOnnxInt4(SettingValues values) => Word(values, QuantizeSettings.Int4Format) switch
    {
        null => null,
        "matmulnbits" => false,
        "qdq" => true,
        var text => throw Unknown(values, QuantizeSettings.Int4Format, text, "matmulnbits or qdq"),
    };

    /// <summary>rtn, hqq, gptq or awq.</summary>
    public static Int4Method? Int4Method(SettingValues values) => Word(values, QuantizeSettings.Int4Method) switch
    {
        null => null,
        "rtn" => Core.Int4Method.Rtn,
        "hqq" => Core.Int4Method.Hqq,
        "gptq" => Core.Int4Method.Gptq,
        "awq" => Core.Int4Method.Awq,
        var text => throw Unknown(values, QuantizeSettings.Int4Method, text, "rtn, hqq, gptq or awq"),
    };

    /// <summary>auto, always or never.</summary>
    public static ExternalDataMode? ExternalData(SettingValues values) => Word(values, QuantizeSettings.ExternalData) switch
    {
        null => null,
        "auto" => ExternalDataMode.Auto,
        "always" => ExternalDataMode.Always,
        "never" => ExternalDataMode.Never,
        var text => throw Unknown(values, QuantizeSettings.ExternalData, text, "auto, always or never"),
    };

    /// <summary>stretch or crop (also center-crop, centercrop).</summary>
    public static ResizeMode? Resize(SettingValues values) => Word(values, QuantizeSettings.ResizeMode) switch
    {
        null => null,
        "stretch" => ResizeMode.Stretch,
        "crop" or "center-crop" or "centercrop" => ResizeMode.CenterCrop,
        var text => throw Unknown(values, QuantizeSettings.ResizeMode, text, "stretch or crop"),
    };

    /// <summary>rgb or bgr.</summary>
    public static ChannelOrder? Channels(SettingValues values) => Word(values, QuantizeSettings.ChannelOrder) switch
    {
        null => null,
        "rgb" => ChannelOrder.Rgb,
        "bgr" => ChannelOrder.Bgr,
        var text => throw Unknown(values, QuantizeSettings.ChannelOrder, text, "rgb or bgr"),
    };

    /// <summary>nchw or nhwc; null infers the layout from the model input.</summary>
    public static TensorLayout? Layout(SettingValues values) => Word(values, QuantizeSettings.Layout) switch
    {
        null => null,
        "nchw" => TensorLayout.Nchw,
        "nhwc" => TensorLayout.Nhwc,
        var text => throw Unknown(values, QuantizeSettings.Layout, text, "nchw or nhwc"),
    };

    /// <summary>WIDTHxHEIGHT, both positive.</summary>
    public static (int Width, int Height)? Size(SettingValues values)
    {
        var setting = QuantizeSettings.ImageSize;
        if (values.Text(setting) is not { } text)
        {
            return null;
        }

        var parts = text.Split('x', 'X');
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h) && w > 0 && h > 0
            ? (w, h)
            : throw values.Invalid(setting, text, "must be WIDTHxHEIGHT, e.g. 224x224");
    }

    /// <summary>Per-channel mean or std: one number for every channel, or three or four comma-separated ones (one per channel of the model input).</summary>
    public static float[]? ChannelValues(SettingValues values, Setting setting)
    {
        if (values.Text(setting) is not { } text)
        {
            return null;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var numbers = new float[parts.Length];
        bool parsed = parts.Select((p, i) => float.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) && float.IsFinite(numbers[i])).All(ok => ok);
        return parsed && numbers.Length is 1 or 3 or 4
            ? numbers
            : throw values.Invalid(setting, text, "must be one number for every channel or one per channel (3, or 4 with alpha), comma-separated, e.g. 0.485,0.456,0.406");
    }

    /// <summary>An image decode limit in megapixels (positive, at most 10^6) as a pixel count.</summary>
    public static long? MaxPixels(SettingValues values) =>
        values.Number(QuantizeSettings.MaxImageMegapixels, min: double.Epsilon, max: 1e6) is { } megapixels ? (long)(megapixels * 1e6) : null;

    private static string? Word(SettingValues values, Setting setting) => values.Text(setting)?.ToLowerInvariant();

    private static Core.Diagnostics.QuantizeException Unknown(SettingValues values, Setting setting, string text, string allowed) =>
        values.Invalid(setting, text, $"is unknown; use {allowed}");
}
