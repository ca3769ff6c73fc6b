namespace Quantize.Core.Settings;

/// <summary>
/// An older or shorter command-line spelling of a setting, kept so existing scripts work: a flag that stands for a
/// fixed value (<c>--convert-io</c> is <c>KeepIoTypes=false</c>), or an option whose values are rewritten into the
/// setting's (<c>--top1 logits</c> is <c>Metric=Top1:logits</c>).
/// </summary>
/// <param name="Cli">The spelling, with its dashes.</param>
/// <param name="Value">The value the flag stands for; null when the alias takes values.</param>
/// <param name="FromValues">Turns the alias's values into the setting's value (only when <paramref name="Value"/> is null).</param>
/// <param name="Help">What the CLI help says about an alias that takes values (a flag's help is derived).</param>
public sealed record SettingAlias(string Cli, string? Value, Func<IReadOnlyList<string>, string>? FromValues = null, string? Help = null)
{
    /// <summary>True when the alias is a flag standing for <see cref="Value"/>.</summary>
    public bool IsFlag => Value is not null;
}
