using Quantize.Generators.Emit;
using Xunit;

namespace Quantize.Generators.Tests;

public sealed class NameScopeTests
{
    [Theory]
    [InlineData("input_ids", "inputIds")]
    [InlineData("attention_mask", "attentionMask")]
    [InlineData("pixel_values:0", "pixelValues0")]
    [InlineData("InputIDs", "inputIDs")]
    [InlineData("924", "input924")]
    [InlineData("__", "input")]
    [InlineData("class", "@class")]
    [InlineData("batch size", "batchSize")]
    public void Parameter_names_are_camel_case_valid_identifiers(string tensor, string expected)
    {
        Assert.Equal(expected, new NameScope().Camel(tensor, "input"));
    }

    [Fact]
    public void Names_are_unique_within_a_scope()
    {
        var scope = new NameScope("Dispose");

        Assert.Equal("x", scope.Camel("x", "p"));
        Assert.Equal("x2", scope.Camel("x", "p"));
        Assert.Equal("x3", scope.Camel("X", "p"));
        Assert.Equal("Dispose2", scope.Pascal("dispose", "P"));
        Assert.Equal("LastHiddenState", scope.Pascal("last_hidden_state", "P"));
    }
}
