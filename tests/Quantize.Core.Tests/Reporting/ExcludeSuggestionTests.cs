using System.Xml.Linq;
using Quantize.Core.Reporting;

namespace Quantize.Core.Tests.Reporting;

public sealed class ExcludeSuggestionTests
{
    [Fact]
    public void Lists_only_fp32_fallbacks_in_decision_order()
    {
        var suggestion = ExcludeSuggestion.From([new("/b/MatMul", "FP32"), new("/a/Softmax", "FP16"), new("/a/MatMul", "FP32"), new("/b/MatMul", "FP32")]);

        Assert.Equal("Exclude=\"/b/MatMul;/a/MatMul\"", suggestion.Attribute);
        Assert.Empty(suggestion.Unlisted);
    }

    [Fact]
    public void No_fp32_fallback_means_no_line()
    {
        Assert.Null(ExcludeSuggestion.From([new("/a/Softmax", "FP16")]).Attribute);
        Assert.Null(ExcludeSuggestion.From([]).Attribute);
    }

    [Fact]
    public void Line_pastes_into_a_project_file_as_a_valid_attribute_with_the_exact_names()
    {
        string[] names = ["a&b \"q\" <x>", "$(Prop)@(Item)%(Meta)%41", "plain/MatMul"];
        var suggestion = ExcludeSuggestion.From(names.Select(n => new KeyValuePair<string, string>(n, "FP32")));

        // Parse the line as an XML attribute, then undo MSBuild's %XX escaping the way MSBuild does.
        var value = (string)XElement.Parse($"<QuantizedModel Include=\"m.onnx\" {suggestion.Attribute} />").Attribute("Exclude")!;
        Assert.DoesNotContain("$(", value, StringComparison.Ordinal);
        Assert.DoesNotContain("@(", value, StringComparison.Ordinal);
        Assert.DoesNotContain("%(", value, StringComparison.Ordinal);
        var unescaped = System.Text.RegularExpressions.Regex.Replace(value, "%([0-9A-Fa-f]{2})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString());
        Assert.Equal(names, unescaped.Split(';'));
    }

    [Fact]
    public void Names_the_exclude_syntax_cannot_express_are_listed_apart()
    {
        var suggestion = ExcludeSuggestion.From([new("semi;colon", "FP32"), new("com,ma", "FP32"), new(" padded", "FP32"), new("ok", "FP32")]);

        Assert.Equal("Exclude=\"ok\"", suggestion.Attribute);
        Assert.Equal(["semi;colon", "com,ma", " padded"], suggestion.Unlisted);
    }
}
