using Quantize.Core.Onnx;

namespace Quantize.Core.Tests;

public class RuntimeTypeInferenceTests
{
    [Fact]
    public void Every_tensor_of_MiniLm_gets_a_type_from_onnx_runtime()
    {
        var (model, _) = ModelReader.Load(RealModels.MiniLmPath);
        var types = RuntimeTypeInference.Infer(model, RealModels.MiniLmPath);
        var outputs = model.Graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0).ToList();
        var missing = outputs.Where(o => !types.ContainsKey(o)).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void A_graph_larger_than_one_segment_gets_every_type_across_segment_boundaries()
    {
        // 2.5 segments, shuffled so the probe has to sort before segmenting; Casts to double change types mid-chain.
        var model = TestModelCatalog.Chain((RuntimeTypeInference.SegmentNodes * 5) / 2);
        var nodes = model.Graph.Node.ToList();
        model.Graph.Node.Clear();
        var random = new Random(7);
        model.Graph.Node.AddRange(nodes.OrderBy(_ => random.Next()));

        var types = RuntimeTypeInference.Infer(model, "chain.onnx");

        foreach (var node in nodes)
        {
            var expected = node.Name.StartsWith("to_double_", StringComparison.Ordinal) ? TensorProto.Types.DataType.Double : TensorProto.Types.DataType.Float;
            Assert.True(types.TryGetValue(node.Output[0], out var actual) && actual == expected, $"{node.Name}: {actual}, expected {expected}");
        }
    }
}
