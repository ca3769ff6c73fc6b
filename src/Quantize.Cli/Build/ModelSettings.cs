using System.Globalization;
using System.Text;
using Quantize.Cli.Commands;
using Quantize.Core;
using Quantize.Core.Diagnostics;

namespace Quantize.Cli.Build;

/// <summary>
/// Turns an item's engine metadata (strings from MSBuild) into <see cref="QuantizeOptions"/>, and options into
/// the canonical settings text that goes into the cache key. Adding a metadata is one field here and one line
/// in Quantize.Build.props.
/// </summary>
internal static class ModelSettings
{
    /// <summary>Parses the metadata; bad values are QNT0003 (precision) or QNT0009 (other options) on <paramref name="source"/>.</summary>
    public static QuantizeOptions Parse(IReadOnlyDictionary<string, string> settings, string source)
    {
        var precisionText = Get(settings, "Precision");
        if (string.IsNullOrWhiteSpace(precisionText) || !PrecisionNames.TryParse(precisionText, out var precision))
        {
            throw new QuantizeException(ErrorCodes.UnknownPrecision, source,
                string.IsNullOrWhiteSpace(precisionText)
                    ? $"The QuantizedModel item has no Precision. Set Precision to one of: {PrecisionNames.Accepted}."
                    : $"Unknown precision '{precisionText}'. Use one of: {PrecisionNames.Accepted}.");
        }

        var defaults = new QuantizeOptions { Precision = precision };
        bool calibrated = CalibrationSettings.IsStatic(settings, precision);

        // Empty PerChannel follows the mode: per-tensor for dynamic INT8 (as the CLI), per-channel for static.
        bool perChannel = Bool(settings, "PerChannel", calibrated ? new StaticInt8Options().PerChannel : defaults.PerChannel, source);
        return defaults with
        {
            Exclude = ExclusionList.Split(Get(settings, "Exclude") is { Length: > 0 } e ? e.Split(';') : null),
            Overrides = PrecisionOverride.Parse(Get(settings, "Overrides"), source),
            KeepIoTypes = Bool(settings, "KeepIoTypes", defaults.KeepIoTypes, source),
            MinElements = Long(settings, "MinElements", defaults.MinElements, source),
            PerChannel = perChannel,
            BlockSize = Get(settings, "BlockSize") is { Length: > 0 } ? (int)Long(settings, "BlockSize", 0, source) : null,
            Symmetric = Bool(settings, "Symmetric", defaults.Symmetric, source),
            AccuracyLevel = (int)Long(settings, "AccuracyLevel", defaults.AccuracyLevel, source),
            StandardOnnxInt4 = Int4Formats.IsStandardOnnx(Get(settings, "Int4Format") is { Length: > 0 } f ? f : Int4Formats.MatMulNBits, source),
            Static = new StaticInt8Options { PerChannel = perChannel, ActivationType = CalibrationSettings.Activation(settings, source) },
        };
    }

    /// <summary>
    /// Every field that changes the output, in a fixed order and spelling, so equal options give equal keys
    /// however the project wrote them ("int8" and "Int8", "True" and "true").
    /// </summary>
    public static string Canonical(QuantizeOptions options)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"precision={options.Precision}\n");
        text.Append(CultureInfo.InvariantCulture, $"exclude={string.Join(",", options.Exclude)}\n");
        text.Append(CultureInfo.InvariantCulture, $"overrides={PrecisionOverride.Format(options.Overrides)}\n");
        text.Append(CultureInfo.InvariantCulture, $"keepIoTypes={options.KeepIoTypes}\n");
        text.Append(CultureInfo.InvariantCulture, $"minElements={options.MinElements}\n");
        text.Append(CultureInfo.InvariantCulture, $"perChannel={options.PerChannel}\n");
        text.Append(CultureInfo.InvariantCulture, $"blockSize={options.BlockSize?.ToString(CultureInfo.InvariantCulture) ?? "auto"}\n");
        text.Append(CultureInfo.InvariantCulture, $"symmetric={options.Symmetric}\n");
        text.Append(CultureInfo.InvariantCulture, $"accuracyLevel={options.AccuracyLevel}\n");
        text.Append(CultureInfo.InvariantCulture, $"standardOnnxInt4={options.StandardOnnxInt4}\n");
        text.Append(CultureInfo.InvariantCulture, $"static={options.Static.PerChannel},{options.Static.ActivationType},{options.Static.SymmetricActivations},{options.Static.SymmetricWeights}\n");
        return text.ToString();
    }

    internal static string? Get(IReadOnlyDictionary<string, string> settings, string name) =>
        settings.TryGetValue(name, out var value) ? value.Trim() : null;

    internal static bool Bool(IReadOnlyDictionary<string, string> settings, string name, bool fallback, string source)
    {
        var text = Get(settings, name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return bool.TryParse(text, out var value)
            ? value
            : throw new QuantizeException(ErrorCodes.InvalidOption, source, $"{name}='{text}' is not true or false.");
    }

    internal static long Long(IReadOnlyDictionary<string, string> settings, string name, long fallback, string source)
    {
        var text = Get(settings, name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= int.MinValue && value <= int.MaxValue
            ? value
            : throw new QuantizeException(ErrorCodes.InvalidOption, source, $"{name}='{text}' is not an integer.");
    }
}
