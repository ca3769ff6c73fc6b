using Google.Protobuf;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Tests.GraphHelpers;

/// <summary>Written models carry no initializer nobody reads and no value_info for a tensor that no longer exists.</summary>
public sealed class UnusedDefinitionsTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("unused-definitions");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string, Precision> CatalogAndPrecisions()
    {
        var data = new TheoryData<string, Precision>();
        foreach (var model in Catalog.Keys)
        {
            foreach (var precision in new[] { Precision.Fp16, Precision.Bf16, Precision.Int8, Precision.Int4 })
            {
                data.Add(model, precision);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CatalogAndPrecisions))]
    public void No_written_model_keeps_unused_definitions(string name, Precision precision)
    {
        var model = Catalog[name]();
        // What exporters leave behind: an initializer nobody reads and a value_info for a tensor that does not exist.
        model.Graph.Initializer.Add(new TensorProto { Name = "leftover.weight", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 4 }, FloatData = { 1, 2, 3, 4 } });
        model.Graph.ValueInfo.Add(new ValueInfoProto { Name = "no_such_tensor" });
        var input = Path.Combine(_folder, $"{name}.onnx");
        File.WriteAllBytes(input, model.ToByteArray());
        var output = Path.Combine(_folder, $"{name}.{precision}.onnx");

        QuantizeEngine.Quantize(input, output, new QuantizeOptions { Precision = precision });

        Assert.Empty(Leftovers(ModelReader.Load(output).Model));
    }

    [Fact]
    public void Graph_inputs_and_what_subgraphs_read_are_kept()
    {
        var model = TestModelCatalog.ConstantAndIf();
        var before = GraphWalker.AllGraphs(model.Graph).Sum(g => g.Initializer.Count);

        UnusedDefinitions.Remove(model);

        Assert.Equal(before, GraphWalker.AllGraphs(model.Graph).Sum(g => g.Initializer.Count));
        Assert.Empty(Leftovers(model));
    }

    /// <summary>Names of initializers read by no node of any graph (nor returned), and of value_info entries defined by no graph.</summary>
    public static List<string> Leftovers(ModelProto model)
    {
        var graphs = GraphWalker.AllGraphs(model.Graph).ToList();
        var read = graphs.SelectMany(g => g.Node.SelectMany(n => n.Input).Concat(g.Output.Select(o => o.Name))).ToHashSet(StringComparer.Ordinal);
        var defined = graphs.SelectMany(g => g.Node.SelectMany(n => n.Output).Concat(g.Input.Select(i => i.Name)).Concat(g.Initializer.Select(i => i.Name)))
            .ToHashSet(StringComparer.Ordinal);
        return
        [
            .. graphs.SelectMany(g => g.Initializer).Where(i => !read.Contains(i.Name)).Select(i => "initializer " + i.Name),
            .. graphs.SelectMany(g => g.ValueInfo).Where(v => !defined.Contains(v.Name)).Select(v => "value_info " + v.Name),
        ];
    }

    private static readonly Dictionary<string, Func<ModelProto>> Catalog = new(StringComparer.Ordinal)
    {
        ["mlp"] = () => TestModelCatalog.Mlp(),
        ["cnn"] = () => TestModelCatalog.SmallCnn(),
        ["attention"] = () => TestModelCatalog.AttentionBlock(),
        ["constant-if"] = () => TestModelCatalog.ConstantAndIf(),
        ["embedding"] = () => TestModelCatalog.Embedding(),
        ["islands"] = () => TestModelCatalog.Float32Islands(),
    };
}
