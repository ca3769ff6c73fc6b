using System.CommandLine;
using Quantize.Core.Settings;

namespace Quantize.Cli.Commands;

/// <summary>
/// The command-line options of every setting in <see cref="QuantizeSettings.All"/>, made from the table: switches
/// are flags that may take <c>true</c>/<c>false</c>, lists repeat, everything else takes one value. Aliases (older
/// spellings such as <c>--convert-io</c>) are options of their own. <see cref="Read"/> turns what was given into the
/// same <see cref="SettingValues"/> a project's metadata gives, so one parser serves both.
/// </summary>
internal sealed class SettingOptions
{
    private readonly List<(Setting Setting, Option Option)> _options = [];
    private readonly List<(Setting Setting, SettingAlias Alias, Option Option)> _aliases = [];

    /// <summary>Creates the options.</summary>
    public SettingOptions()
    {
        foreach (var setting in QuantizeSettings.All)
        {
            _options.Add((setting, Create(setting)));
            foreach (var alias in setting.Aliases)
            {
                _aliases.Add((setting, alias, CreateAlias(setting, alias)));
            }
        }
    }

    /// <summary>Every option, each setting followed by its aliases.</summary>
    public IEnumerable<Option> All => _options.SelectMany(o => new[] { o.Option }.Concat(_aliases.Where(a => a.Setting == o.Setting).Select(a => a.Option)));

    /// <summary>The option spelled <paramref name="setting"/>.Cli.</summary>
    public Option For(Setting setting) => _options.Single(o => o.Setting == setting).Option;

    /// <summary>
    /// The settings given on the command line. An alias counts only where the setting's own option was not given; a
    /// flag alias given as <c>false</c> (<c>--convert-io false</c>) says nothing.
    /// </summary>
    public SettingValues Read(ParseResult parseResult, string source)
    {
        var values = new SettingValues(source);
        foreach (var (setting, alias, option) in _aliases)
        {
            if (parseResult.GetResult(option) is not { Implicit: false })
            {
                continue;
            }

            if (alias.IsFlag)
            {
                if (parseResult.GetValue((Option<bool>)option))
                {
                    values.Set(setting, [alias.Value!], alias.Cli);
                }
            }
            else
            {
                values.Set(setting, [alias.FromValues!(parseResult.GetValue((Option<string[]>)option) ?? [])], alias.Cli);
            }
        }

        foreach (var (setting, option) in _options)
        {
            if (parseResult.GetResult(option) is not { Implicit: false })
            {
                continue;
            }

            IEnumerable<string> given = option switch
            {
                Option<bool> flag => [parseResult.GetValue(flag) ? "true" : "false"],
                Option<string[]> list => (parseResult.GetValue(list) ?? [])
                    .SelectMany(v => setting.SplitCliValues ? SettingValues.SplitList(setting, v) : [v]),
                Option<string> single => [parseResult.GetValue(single) ?? ""],
                _ => throw new InvalidOperationException($"No reader for {option.GetType()}."),
            };
            values.Set(setting, given, setting.Cli);
        }

        return values;
    }

    /// <summary>The CLI help text of a setting: its help without Markdown code marks, and the default.</summary>
    public static string Description(Setting setting)
    {
        var help = setting.Help.Replace("`", "", StringComparison.Ordinal).Replace("\\|", "|", StringComparison.Ordinal);
        if (setting.Limitation is { } appliesTo)
        {
            help = $"{appliesTo}: {help}";
        }

        var byDefault = setting.Default.Length > 0 ? setting.Default : setting.DefaultText?.Replace("`", "", StringComparison.Ordinal);
        return byDefault is null || setting.Required ? help : $"{help} [default: {byDefault}]";
    }

    private static Option Create(Setting setting)
    {
        string[] aliases = setting.CliShort is null ? [] : [setting.CliShort];
        return setting.Kind switch
        {
            SettingKind.Switch => new Option<bool>(setting.Cli, aliases) { Description = Description(setting), Arity = ArgumentArity.ZeroOrOne },
            SettingKind.List => new Option<string[]>(setting.Cli, aliases) { Description = Description(setting), HelpName = setting.ValueName },
            _ => new Option<string>(setting.Cli, aliases) { Description = Description(setting), HelpName = setting.ValueName, Required = setting.Required },
        };
    }

    private static Option CreateAlias(Setting setting, SettingAlias alias) => alias.IsFlag
        ? new Option<bool>(alias.Cli) { Description = $"The same as {setting.Cli} {alias.Value}." }
        : new Option<string[]>(alias.Cli) { Description = alias.Help ?? $"The same as {setting.Cli}.", HelpName = "value" };
}
