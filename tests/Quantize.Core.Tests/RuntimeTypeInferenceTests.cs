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
}
