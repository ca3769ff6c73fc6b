using Quantize.Core.Graph;

namespace Quantize.Core.Tests.Graph;

public class TopologicalSorterTests
{
    [Fact]
    public void A_reversed_graph_is_sorted_back_into_producer_before_consumer_order()
    {
        var model = TestModelCatalog.NonTopological();

        TopologicalSorter.SortAll(model.Graph);

        var seen = model.Graph.Input.Select(i => i.Name).Concat(model.Graph.Initializer.Select(i => i.Name)).ToHashSet();
        foreach (var node in model.Graph.Node)
        {
            Assert.All(node.Input, input => Assert.Contains(input, seen));
            seen.UnionWith(node.Output);
        }
    }

    [Fact]
    public void Sorting_an_ordered_graph_changes_nothing()
    {
        var model = TestModelCatalog.AttentionBlock();
        var before = model.Graph.Node.Select(n => n.Name).ToList();

        TopologicalSorter.SortAll(model.Graph);

        Assert.Equal(before, model.Graph.Node.Select(n => n.Name));
    }

    [Fact]
    public void A_node_whose_subgraph_reads_an_outer_value_comes_after_that_values_producer()
    {
        var model = TestModelCatalog.ConstantAndIf();
        var nodes = model.Graph.Node.Reverse().ToList();
        model.Graph.Node.Clear();
        model.Graph.Node.AddRange(nodes);

        TopologicalSorter.SortAll(model.Graph);

        var order = model.Graph.Node.Select(n => n.Name).ToList();
        Assert.True(order.IndexOf("const_matmul") < order.IndexOf("branch"));
        Assert.True(order.IndexOf("const_weight_node") < order.IndexOf("const_matmul"));
    }
}
