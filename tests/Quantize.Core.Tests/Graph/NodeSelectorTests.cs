using Quantize.Core.Diagnostics;
using Quantize.Core.Graph;

namespace Quantize.Core.Tests.Graph;

public class NodeSelectorTests
{
    [Fact]
    public void Matches_by_node_name_and_by_op_type_including_subgraph_nodes()
    {
        var model = TestModelCatalog.ConstantAndIf();

        var selector = NodeSelector.Create(["then_matmul", "If"], model, "m.onnx");

        var all = GraphWalker.AllGraphs(model.Graph).SelectMany(g => g.Node).ToList();
        Assert.Equal(["then_matmul", "branch"], all.Where(selector.Matches).Select(n => n.Name).Order().Reverse());
    }

    [Fact]
    public void An_entry_matching_nothing_is_QNT0006_suggesting_the_closest_name()
    {
        var error = Assert.Throws<QuantizeException>(() => NodeSelector.Create(["fc2_bais"], TestModelCatalog.Mlp(), "mlp.onnx"));

        Assert.Equal(ErrorCodes.UnmatchedExclusion, error.Code);
        Assert.Contains("'fc2_bias'", error.Message, StringComparison.Ordinal);
        Assert.Equal("mlp.onnx", error.FilePath);
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("MatMul", "MatMul", 0)]
    [InlineData("matmul", "MatMul", 2)]
    public void Edit_distance_is_the_levenshtein_distance(string a, string b, int expected) =>
        Assert.Equal(expected, ClosestMatch.EditDistance(a, b));
}
