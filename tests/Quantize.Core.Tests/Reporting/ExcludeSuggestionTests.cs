using System.Xml.Linq;
using Quantize.Core.Reporting;

namespace Quantize.Core.Tests.Reporting;

/// <summary>
/// The ready-to-paste Exclude element (an element: the attribute form is MSBuild's own item exclusion; a test in
/// Quantize.Build.Tests pastes one into a real project and checks the names that reach the worker).
/// </summary>
public sealed class ExcludeSuggestionTests
{
    [Fact]
    public void Lists_only_fp32_fallbacks_in_decision_order()
    {
        var suggestion = ExcludeSuggestion.From([new("/b/MatMul", "FP32"), new("/a/Softmax", "FP16"), new("/a/MatMul", "FP32"), new("/b/MatMul", "FP32")]);

        Assert.Equal("<Exclude>/b/MatMul;/a/MatMul</Exclude>", suggestion.Element);
        Assert.Empty(suggestion.Unlisted);
    }

    [Fact]
    public void No_fp32_fallback_means_no_line()
    {
        Assert.Null(ExcludeSuggestion.From([new("/a/Softmax", "FP16")]).Element);
        Assert.Null(ExcludeSuggestion.From([]).Element);
    }

    [Fact]
    public void Line_pastes_into_a_project_file_as_a_valid_element_with_the_exact_names()
    {
        string[] names = ["a&b \"q\" <x>", "$(Prop)@(Item)%(Meta)%41", "plain/MatMul"];
        var suggestion = ExcludeSuggestion.From(names.Select(n => new KeyValuePair<string, string>(n, "FP32")));

        // Parse the line as XML element text, then undo MSBuild's %XX escaping the way MSBuild does.
        var value = XElement.Parse($"<QuantizedModel Include=\"m.onnx\">{suggestion.Element}</QuantizedModel>").Element("Exclude")!.Value;
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

        Assert.Equal("<Exclude>ok</Exclude>", suggestion.Element);
        Assert.Equal(["semi;colon", "com,ma", " padded"], suggestion.Unlisted);
    }

    [Fact]
    public void The_advice_gives_the_element_and_the_command_line_option()
    {
        Assert.Equal("<Exclude>fc2;/a/MatMul</Exclude> in the QuantizedModel item (command line: --exclude \"fc2;/a/MatMul\")", ExcludeSuggestion.Advice(["fc2", "/a/MatMul"]));
    }
}
