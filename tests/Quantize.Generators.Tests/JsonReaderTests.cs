using Quantize.Generators.Json;
using Xunit;

namespace Quantize.Generators.Tests;

/// <summary>The generator's own JSON reader against RFC 8259: what it must accept and what it must refuse.</summary>
public sealed class JsonReaderTests
{
    [Fact]
    public void Reads_nested_values_in_order_with_positions()
    {
        var root = JsonReader.Parse("{\n  \"a\": [1, -2.5e3, true, false, null],\n  \"b\": { \"c\": \"d\" }\n}");

        var a = root.Property("a")!;
        Assert.Equal(JsonKind.Array, a.Kind);
        Assert.Equal(["1", "-2.5e3", null, null, null], a.Items!.Select(i => i.Text));
        Assert.Equal([JsonKind.Number, JsonKind.Number, JsonKind.True, JsonKind.False, JsonKind.Null], a.Items!.Select(i => i.Kind));
        Assert.Equal((2, 8), (a.Line, a.Column));
        Assert.Equal("d", root.Property("b")!.Property("c")!.Text);
        Assert.Equal(["a", "b"], root.Properties!.Select(p => p.Key));
    }

    [Theory]
    [InlineData("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t")]
    [InlineData("\"\\u00e9\\u4e2d\"", "é中")]
    [InlineData("\"\\ud83d\\ude00\"", "😀")]
    [InlineData("\"😀 raw\"", "😀 raw")]
    [InlineData("\uFEFF\"bom\"", "bom")]
    public void Decodes_escapes_and_unicode(string json, string expected)
    {
        Assert.Equal(expected, JsonReader.Parse(json).Text);
    }

    [Theory]
    [InlineData("{\"a\": 1,}", "A property name in double quotes was expected")]
    [InlineData("[1, 2,]", "Unexpected character ']'")]
    [InlineData("{\"a\": 1 \"b\": 2}", "',' or '}' was expected")]
    [InlineData("{'a': 1}", "A property name in double quotes was expected")]
    [InlineData("// comment\n{}", "Unexpected character '/'")]
    [InlineData("01", "leading zeros")]
    [InlineData("1.", "digit was expected after the decimal point")]
    [InlineData("1e", "digit was expected in the exponent")]
    [InlineData("-", "digit was expected in a number")]
    [InlineData("tru", "'true'")]
    [InlineData("\"open", "Unterminated string")]
    [InlineData("\"a\tb\"", "Control characters must be escaped")]
    [InlineData("\"\\x\"", "Invalid escape sequence")]
    [InlineData("\"\\u12zz\"", "Invalid hex digit")]
    [InlineData("\"\\u12\"", "Incomplete")]
    [InlineData("\"\\ud83d\"", "low surrogate")]
    [InlineData("\"\\ude00\"", "Unpaired low surrogate")]
    [InlineData("{} {}", "after the end of the JSON document")]
    [InlineData("{\"a\": 1, \"a\": 2}", "Duplicate property 'a'")]
    [InlineData("", "Unexpected end of JSON")]
    public void Rejects_invalid_json_with_a_positioned_message(string json, string message)
    {
        var e = Assert.Throws<JsonException>(() => JsonReader.Parse(json));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.True(e.Line >= 1 && e.Column >= 1);
    }

    [Fact]
    public void Rejects_nesting_deeper_than_the_limit_instead_of_overflowing_the_stack()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);

        Assert.Contains("nested deeper", Assert.Throws<JsonException>(() => JsonReader.Parse(deep)).Message, StringComparison.Ordinal);
        Assert.Equal(JsonKind.Array, JsonReader.Parse(new string('[', 60) + new string(']', 60)).Kind);
    }

    [Fact]
    public void Reports_line_and_column_of_the_error()
    {
        var e = Assert.Throws<JsonException>(() => JsonReader.Parse("{\n  \"a\": 1,\n  \"b\": @\n}"));

        Assert.Equal((3, 8), (e.Line, e.Column));
    }
}
