using System.Globalization;
using System.Text;
using System.Text.Json;
using Quantize.Core.Diagnostics;

namespace Quantize.Core.Settings;

/// <summary>
/// The settings one model was given, as text, whoever gave them: an item's metadata (<see cref="FromMetadata"/>) or
/// the command line. Empty values count as not given, so the default applies. The typed readers check a value and
/// fail with QNT0009 on <see cref="Source"/>, naming the setting as the user spelled it (<c>ResizeMode</c> in a
/// project, <c>--resize</c> on the command line).
/// </summary>
public sealed class SettingValues
{
    private readonly Dictionary<Setting, (IReadOnlyList<string> Values, string Spelling)> _given = [];

    /// <summary>Creates an empty set for the model at <paramref name="source"/>.</summary>
    public SettingValues(string source) => Source = source;

    /// <summary>The model file diagnostics are reported on.</summary>
    public string Source { get; }

    /// <summary>The settings that were given, in table order.</summary>
    public IEnumerable<Setting> Given => QuantizeSettings.All.Where(_given.ContainsKey);

    /// <summary>Reads an item's metadata: each setting by its name; list values are split on the setting's separators.</summary>
    public static SettingValues FromMetadata(IReadOnlyDictionary<string, string> metadata, string source)
    {
        var values = new SettingValues(source);
        foreach (var setting in QuantizeSettings.All)
        {
            if (metadata.TryGetValue(setting.Name, out var text))
            {
                values.Set(setting, setting.Kind == SettingKind.List ? SplitList(setting, text) : [text], setting.Name);
            }
        }

        return values;
    }

    /// <summary>Records <paramref name="values"/> for <paramref name="setting"/>, spelled <paramref name="spelling"/>; blank values are dropped, and none at all leaves the setting unset.</summary>
    public void Set(Setting setting, IEnumerable<string> values, string spelling)
    {
        var kept = values.Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
        if (kept.Count > 0)
        {
            _given[setting] = (kept, spelling);
        }
    }

    /// <summary>The values of a list setting, split the way the setting says; empty when not given.</summary>
    public static IReadOnlyList<string> SplitList(Setting setting, string text) =>
        text.Split([.. setting.Separators], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>How the user named <paramref name="setting"/> (for messages).</summary>
    public string Spelling(Setting setting) => _given.TryGetValue(setting, out var given) ? given.Spelling : setting.Name;

    /// <summary>True when <paramref name="setting"/> has a value.</summary>
    public bool Has(Setting setting) => _given.ContainsKey(setting);

    /// <summary>The value of a one-value setting, or null.</summary>
    public string? Text(Setting setting) => _given.TryGetValue(setting, out var given) ? given.Values[^1] : null;

    /// <summary>Every value of a list setting, in the order given.</summary>
    public IReadOnlyList<string> List(Setting setting) => _given.TryGetValue(setting, out var given) ? given.Values : [];

    /// <summary>A switch, or null when not given.</summary>
    public bool? Bool(Setting setting) => Text(setting) switch
    {
        null => null,
        var text when bool.TryParse(text, out var value) => value,
        var text => throw Invalid(setting, text, "is not true or false"),
    };

    /// <summary>A whole number within [<paramref name="min"/>, <paramref name="max"/>], or null when not given.</summary>
    public long? Integer(Setting setting, long min = int.MinValue, long max = int.MaxValue) => Text(setting) switch
    {
        null => null,
        var text when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max => value,
        var text => throw Invalid(setting, text, min == int.MinValue ? "is not an integer" : string.Create(CultureInfo.InvariantCulture, $"is not an integer between {min} and {max}")),
    };

    /// <summary>A finite number within [<paramref name="min"/>, <paramref name="max"/>], or null when not given.</summary>
    public double? Number(Setting setting, double min = double.MinValue, double max = double.MaxValue) => Text(setting) switch
    {
        null => null,
        var text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= min && value <= max => value,
        var text => throw Invalid(setting, text, min > double.MinValue ? string.Create(CultureInfo.InvariantCulture, $"is not a number between {min} and {max}") : "is not a number"),
    };

    /// <summary>The QNT0009 error for a bad value of <paramref name="setting"/>: "<c>Name 'text' problem.</c>"</summary>
    public QuantizeException Invalid(Setting setting, string? text, string problem) =>
        new(ErrorCodes.InvalidOption, Source, $"{Spelling(setting)} '{text}' {problem}.");

    /// <summary>
    /// The canonical settings text for a cache key: every given setting that is in the key and used by
    /// <paramref name="precision"/> (calibration settings only when <paramref name="calibrated"/>), by name, in
    /// table order, with its values as given (trimmed; text values lower-cased, since every word value is
    /// case-insensitive). Equal settings give equal text however they were spelled, and an unset setting is left
    /// out, so a default written out explicitly and one left empty give the same key only when the default is
    /// written the same way; that costs at most a cache miss, never a stale hit.
    /// </summary>
    public string Canonical(Precision precision, bool calibrated)
    {
        var text = new StringBuilder();
        foreach (var setting in Given)
        {
            bool used = setting.InCacheKey && setting.AppliesTo(precision) && (setting.Scope != SettingScope.Calibration || calibrated);
            if (used)
            {
                var values = List(setting).Select(v => setting.Kind == SettingKind.List ? v : v.ToLowerInvariant());
                text.Append(setting.Name).Append('=').Append(JsonSerializer.Serialize(values)).Append('\n');
            }
        }

        return text.ToString();
    }
}
