namespace Quantize.Core.Settings;

/// <summary>
/// One setting of a model's quantization, described once: its project-file metadata name, its command-line
/// spelling, its default, when it applies and whether it is part of the cache key. The CLI's options, the build's
/// metadata parsing, the props defaults (checked by a test), the cache key and the settings table in
/// docs/settings.md are all derived from <see cref="QuantizeSettings.All"/>.
/// </summary>
public sealed class Setting
{
    /// <summary>The <c>QuantizedModel</c> metadata name, and the setting's one name everywhere (messages, cache key).</summary>
    public required string Name { get; init; }

    /// <summary>How the value is written and checked.</summary>
    public required SettingKind Kind { get; init; }

    /// <summary>When the setting is used.</summary>
    public required SettingScope Scope { get; init; }

    /// <summary>What it does, one or two sentences (Markdown code spans allowed): the CLI help and the docs table.</summary>
    public required string Help { get; init; }

    /// <summary>The command-line option (<c>--min-elements</c>); every setting has one.</summary>
    public required string Cli { get; init; }

    /// <summary>A one-letter command-line form (<c>-p</c>), or null.</summary>
    public string? CliShort { get; init; }

    /// <summary>What the CLI help shows for the value (<c>N</c>, <c>path</c>, <c>minmax|percentile|entropy</c>); null for switches.</summary>
    public string? ValueName { get; init; }

    /// <summary>The default as a project file writes it (and Quantize.Build.props holds); empty when it is computed.</summary>
    public string Default { get; init; } = "";

    /// <summary>The default as the docs describe it, when <see cref="Default"/> is empty or needs words.</summary>
    public string? DefaultText { get; init; }

    /// <summary>The precisions the setting applies to; empty for all. Only for <see cref="SettingScope.Model"/>.</summary>
    public IReadOnlyList<Precision> Precisions { get; init; } = [];

    /// <summary>Older command-line spellings, still accepted.</summary>
    public IReadOnlyList<SettingAlias> Aliases { get; init; } = [];

    /// <summary>
    /// For <see cref="SettingKind.List"/>: the characters that separate values in a project file (and, for
    /// <see cref="SplitCliValues"/>, inside one command-line value too).
    /// </summary>
    public IReadOnlyList<char> Separators { get; init; } = [';'];

    /// <summary>For lists: command-line values are split on <see cref="Separators"/> as well (<c>-x fc1,fc2</c>).</summary>
    public bool SplitCliValues { get; init; }

    /// <summary>Required: a missing value is an error (only <see cref="QuantizeSettings.Precision"/>).</summary>
    public bool Required { get; init; }

    /// <summary>
    /// Part of the canonical settings text in the cache key. False only for paths: what they point to enters the
    /// key by content (the calibration and validation fingerprints), so moving a folder keeps the entry.
    /// </summary>
    public bool InCacheKey { get; init; } = true;

    /// <summary>True when the setting applies to <paramref name="precision"/> at all.</summary>
    public bool AppliesTo(Precision precision) => Precisions.Count == 0 || Precisions.Contains(precision);

    /// <summary>Which runs use the setting, as help and docs say it ("INT4", "FP16/BF16", "Static INT8"); null for every run.</summary>
    public string? Limitation =>
        Scope == SettingScope.Calibration ? "Static INT8, INT4 GPTQ/AWQ"
        : Precisions.Count > 0 ? string.Join("/", Precisions.Select(p => p.ToString().ToUpperInvariant()))
        : null;

    /// <inheritdoc/>
    public override string ToString() => Name;
}
