using Quantize.Core.Diagnostics;

namespace Quantize.Core;

/// <summary>
/// Keeps the nodes a selector matches (exact node name or op type, as for Exclude) in a higher precision
/// than the model's main one: the field's "attention and normalization in FP16, feed-forward MatMuls in
/// INT8" is <c>Softmax=Fp16</c> on an INT8 model.
/// </summary>
/// <param name="Selector">A node name or op type; it must match at least one node (QNT0006 otherwise).</param>
/// <param name="Precision">What the matched nodes are kept in.</param>
public sealed record PrecisionOverride(string Selector, LayerPrecision Precision)
{
    /// <summary>The accepted precision names, for help text and error messages.</summary>
    public const string AcceptedPrecisions = "fp32, fp16, int8 (INT4 models)";

    /// <summary>The text syntax, for help text: entries separated by ';', each SELECTOR[,SELECTOR...]=PRECISION.</summary>
    public const string Syntax = "SELECTOR[,SELECTOR...]=PRECISION[;...] with PRECISION fp32, fp16 or (in an INT4 model) int8, e.g. \"Softmax,LayerNormalization=Fp16;fc1=Fp32\"";

    /// <summary>
    /// Parses the text form: entries separated by ';' (MSBuild's list separator) or line breaks, each
    /// <c>SELECTOR=PRECISION</c>, where SELECTOR may list several selectors separated by ','. The last '='
    /// splits, so a node name may itself contain '='. Precision names are case-insensitive. Bad text fails
    /// with QNT0009 naming <paramref name="filePath"/>.
    /// </summary>
    /// <param name="text">E.g. <c>Softmax,LayerNormalization=Fp16;/encoder/layer.0/attention/output/dense/MatMul=Fp32</c>.</param>
    /// <param name="filePath">The model (or project) the setting belongs to, for the error.</param>
    public static IReadOnlyList<PrecisionOverride> Parse(string? text, string filePath)
    {
        var overrides = new List<PrecisionOverride>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return overrides;
        }

        foreach (var entry in text.Split([';', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            overrides.AddRange(ParseEntry(entry, filePath));
        }

        return overrides;
    }

    /// <summary>Parses one <c>SELECTOR[,SELECTOR...]=PRECISION</c> entry (the CLI's --override value).</summary>
    public static IReadOnlyList<PrecisionOverride> ParseEntry(string entry, string filePath)
    {
        ArgumentNullException.ThrowIfNull(entry);
        int split = entry.LastIndexOf('=');
        if (split <= 0 || !TryParsePrecision(entry[(split + 1)..], out var precision))
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, filePath,
                $"Override '{entry}' must be SELECTOR=PRECISION, where SELECTOR is a node name or op type and PRECISION one of {AcceptedPrecisions}.");
        }

        var selectors = entry[..split].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (selectors.Length == 0)
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, filePath, $"Override '{entry}' names no node or op type before '='.");
        }

        return [.. selectors.Select(s => new PrecisionOverride(s, precision))];
    }

    /// <summary>Parses a precision a node can be kept in: fp32/float32/float, fp16/float16/half or int8, case-insensitive.</summary>
    public static bool TryParsePrecision(string? text, out LayerPrecision precision)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "fp32" or "float32" or "float":
                precision = LayerPrecision.Fp32;
                return true;
            case "fp16" or "float16" or "half":
                precision = LayerPrecision.Fp16;
                return true;
            case "int8":
                precision = LayerPrecision.Int8;
                return true;
            default:
                precision = default;
                return false;
        }
    }

    /// <summary>The text form of <paramref name="overrides"/> that <see cref="Parse"/> reads back (one entry per override).</summary>
    public static string Format(IEnumerable<PrecisionOverride> overrides) =>
        string.Join(';', overrides.Select(o => o.ToString()));

    /// <summary>The <c>SELECTOR=PRECISION</c> form.</summary>
    public override string ToString() => $"{Selector}={Precision}";
}
