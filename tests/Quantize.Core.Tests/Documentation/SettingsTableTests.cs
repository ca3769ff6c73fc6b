using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Quantize.Core.Settings;
using Quantize.Testing;

namespace Quantize.Core.Tests.Documentation;

/// <summary>
/// The settings table is the one source: the props defaults, the list of metadata the build passes to the worker and
/// the table in docs/settings.md must agree with it. Run with <c>QUANTIZE_UPDATE_DOCS=1</c> to rewrite the docs table
/// from <see cref="QuantizeSettings.All"/> after changing a setting.
/// </summary>
public sealed class SettingsTableTests
{
    private const string Begin = "<!-- settings table: generated from QuantizeSettings.All by SettingsTableTests; do not edit by hand -->";
    private const string End = "<!-- end of settings table -->";

    private static readonly XNamespace None = XNamespace.None;

    [Fact]
    public void Props_give_every_setting_its_table_default()
    {
        var props = XDocument.Load(Path.Combine(RepositoryPaths.Root, "build", "Quantize.Build.props"));
        var item = props.Descendants("ItemDefinitionGroup").Elements("QuantizedModel").Single();

        Assert.All(QuantizeSettings.All, setting =>
        {
            var element = item.Element(None + setting.Name);
            Assert.True(element is not null, $"Quantize.Build.props has no <{setting.Name}> default");
            Assert.Equal(setting.Default, element!.Value.Trim());
        });
    }

    [Fact]
    public void The_build_passes_exactly_the_table_settings_to_the_worker()
    {
        var props = XDocument.Load(Path.Combine(RepositoryPaths.Root, "build", "Quantize.Build.props"));
        var passed = props.Descendants("QuantizeEngineMetadata").Select(e => (string)e.Attribute("Include")!).ToList();

        Assert.Equal(QuantizeSettings.All.Select(s => s.Name), passed);
    }

    [Fact]
    public void Docs_settings_table_is_the_one_the_table_gives()
    {
        var path = Path.Combine(RepositoryPaths.Root, "docs", "settings.md");
        var text = File.ReadAllText(path);
        int begin = text.IndexOf(Begin, StringComparison.Ordinal);
        int end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"{path} lacks the generated table's markers");

        var expected = Render();
        var actual = text[(begin + Begin.Length)..end];
        if (actual != expected && Environment.GetEnvironmentVariable("QUANTIZE_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, text[..(begin + Begin.Length)] + expected + text[end..]);
            return;
        }

        Assert.True(actual == expected, "docs/settings.md's table differs from QuantizeSettings.All; run the tests with QUANTIZE_UPDATE_DOCS=1 to rewrite it.");
    }

    [Fact]
    public void Names_and_spellings_are_unique_and_lists_have_separators()
    {
        var spellings = QuantizeSettings.All.SelectMany(s => new[] { s.Cli, s.CliShort }.Concat(s.Aliases.Select(a => a.Cli))).OfType<string>().ToList();

        Assert.Equal(spellings.Count, spellings.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(QuantizeSettings.All.Count, QuantizeSettings.All.Select(s => s.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(QuantizeSettings.All, s => Assert.True(s.Cli.StartsWith("--", StringComparison.Ordinal) && s.Help.Length > 10, s.Name));
        Assert.All(QuantizeSettings.All.Where(s => s.Kind == SettingKind.List), s => Assert.NotEmpty(s.Separators));
        Assert.All(QuantizeSettings.All.Where(s => s.Scope != SettingScope.Model), s => Assert.Empty(s.Precisions));
    }

    private static string Render()
    {
        var text = new StringBuilder("\n\n| metadata | command line | default | used by | meaning |\n|---|---|---|---|---|\n");
        foreach (var setting in QuantizeSettings.All)
        {
            var cli = string.Join(", ", new[] { setting.CliShort, setting.Cli }.OfType<string>().Select(c => $"`{c}`"));
            if (setting.Aliases.Count > 0)
            {
                cli += " (also " + string.Join(", ", setting.Aliases.Select(a => a.IsFlag ? $"`{a.Cli}` = `{a.Value}`" : $"`{a.Cli}`")) + ")";
            }

            var byDefault = setting.DefaultText ?? (setting.Default.Length > 0 ? $"`{setting.Default}`" : "empty");
            text.Append(CultureInfo.InvariantCulture, $"| `{setting.Name}` | {cli} | {byDefault} | {setting.Limitation ?? "all"} | {setting.Help} |\n");
        }

        return text.Append('\n').ToString();
    }
}
