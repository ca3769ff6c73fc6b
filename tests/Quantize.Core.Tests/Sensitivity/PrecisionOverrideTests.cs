using Google.Protobuf;
using Quantize.Core.Diagnostics;
using Quantize.Core.Onnx;
using Xunit.Abstractions;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Sensitivity;

/// <summary>
/// Per-node and per-op-type precision overrides: the text form, validation against the model, and the
/// written model (FP16 exactly on the selected nodes, FP32 ones untouched, the rest in the main precision),
/// run by ONNX Runtime against the float model.
/// </summary>
public class PrecisionOverrideTests(ITestOutputHelper output)
{
    [Fact]
    public void Text_form_lists_selectors_per_precision_and_reads_back()
    {
        var overrides = PrecisionOverride.Parse(" Softmax, LayerNormalization = fp16 ;fc1=FP32\n/a=b/MatMul=float16", "model.onnx");

        Assert.Equal(
            [new("Softmax", LayerPrecision.Fp16), new("LayerNormalization", LayerPrecision.Fp16), new("fc1", LayerPrecision.Fp32), new("/a=b/MatMul", LayerPrecision.Fp16)],
            overrides);
        Assert.Equal(overrides, PrecisionOverride.Parse(PrecisionOverride.Format(overrides), "model.onnx"));
        Assert.Empty(PrecisionOverride.Parse("  ", "model.onnx"));
    }

    [Theory]
    [InlineData("Softmax")]
    [InlineData("Softmax=int4")]
    [InlineData("=fp16")]
    [InlineData(" , =fp16")]
    public void Malformed_text_is_an_invalid_option(string text)
    {
        var error = Assert.Throws<QuantizeException>(() => PrecisionOverride.Parse(text, "model.onnx"));
        Assert.Equal(ErrorCodes.InvalidOption, error.Code);
        Assert.StartsWith("Override '", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unmatched_selector_fails_with_the_closest_name_and_writes_nothing()
    {
        var (input, folder) = Write(TestModelCatalog.AttentionBlock(), "override-unmatched");
        var target = Path.Combine(folder, "out.onnx");
        var options = new QuantizeOptions { Precision = Precision.Int8, Overrides = PrecisionOverride.Parse("Softmx=fp16", input) };

        var error = Assert.Throws<QuantizeException>(() => QuantizeEngine.Quantize(input, target, options));

        Assert.Equal(ErrorCodes.UnmatchedExclusion, error.Code);
        Assert.Contains("Override selector 'Softmx'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'Softmax'?", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void Attention_and_normalization_in_fp16_projections_in_int8_one_projection_in_fp32()
    {
        var original = TestModelCatalog.AttentionBlock();
        var (input, folder) = Write(original, "override-attention");
        var target = Path.Combine(folder, "mixed.onnx");
        var options = new QuantizeOptions
        {
            Precision = Precision.Int8,
            Overrides = PrecisionOverride.Parse("Softmax,LayerNormalization=Fp16;out_matmul=Fp32", input),
        };

        var result = QuantizeEngine.Quantize(input, target, options);

        Assert.Equal(["query_matmul", "key_matmul", "value_matmul"], result.QuantizedNodes.Select(n => n.Name));
        Assert.Equal([new("softmax", "FP16"), new("out_matmul", "FP32"), new("layer_norm", "FP16")], result.Overridden);
        var (written, _) = ModelReader.Load(target);
        var types = RuntimeTypeInference.Infer(written, target);
        var float16Nodes = written.Graph.Node.Where(n => n.OpType != "Cast" && n.Output.Any(o => types.GetValueOrDefault(o) == DataType.Float16)).Select(n => n.Name);
        Assert.Equal(["layer_norm", "softmax"], float16Nodes.Order(StringComparer.Ordinal));
        var outMatMul = Assert.Single(written.Graph.Node, n => n.Name == "out_matmul");
        Assert.Equal("MatMul", outMatMul.OpType);
        Assert.Equal("out.weight", outMatMul.Input[1]);
        Assert.DoesNotContain(written.Graph.Node, n => n.Name == "query_matmul");
        Assert.Contains(written.Graph.Node, n => n.OpType == "MatMulInteger");
        Assert.Equal(DataType.Float, (DataType)written.Graph.Input.Single().Type.TensorType.ElemType);
        Assert.Equal(DataType.Float, (DataType)written.Graph.Output.Single().Type.TensorType.ElemType);

        var inputs = ModelInputs.For(original);
        var expected = OrtRunner.Run(original, inputs)["y"];
        var actual = OrtRunner.Run(target, inputs)["y"];
        double cosine = Similarity.Cosine(expected, actual);
        output.WriteLine($"AttentionBlock INT8 + FP16 softmax/layer norm + FP32 out_matmul: cosine {cosine:F6}");
        Assert.True(cosine >= 0.995, $"cosine {cosine}");
    }

    [Fact]
    public void Overrides_apply_to_int4_fp32_untouched_fp16_weights_in_half()
    {
        var original = TestModelCatalog.Mlp();
        var (input, folder) = Write(original, "override-int4");
        var target = Path.Combine(folder, "int4.onnx");
        var options = new QuantizeOptions { Precision = Precision.Int4, Overrides = PrecisionOverride.Parse("fc2=fp16;fc1=fp32", input) };

        var result = QuantizeEngine.Quantize(input, target, options);

        Assert.DoesNotContain(result.QuantizedNodes, n => n.Name is "fc1" or "fc2");
        Assert.Equal([new("fc1", "FP32"), new("fc2", "FP16")], result.Overridden);
        var (written, _) = ModelReader.Load(target);
        Assert.Equal("MatMul", written.Graph.Node.Single(n => n.Name == "fc1").OpType);
        Assert.Equal(DataType.Float16, written.Graph.Initializer.Single(i => i.Name == written.Graph.Node.Single(n => n.Name == "fc2").Input[1]).ElementType());
        var inputs = ModelInputs.For(original);
        Assert.True(Similarity.Cosine(OrtRunner.Run(original, inputs)["y"], OrtRunner.Run(target, inputs)["y"]) >= 0.97);
    }

    [Fact]
    public void MiniLm_softmax_and_attention_matmuls_in_fp16_feed_forward_in_int8()
    {
        var (model, _) = ModelReader.Load(RealModels.MiniLmPath);
        // The attention MatMuls multiply two activations (QKᵀ and the weighted sum of V): no constant weight.
        var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var attentionMatMuls = model.Graph.Node.Where(n => n.OpType == "MatMul" && !initializers.Contains(n.Input[1]) && model.Graph.Node.All(p => p.OpType != "Constant" || !p.Output.Contains(n.Input[1]))).Select(n => n.Name).ToList();
        Assert.Equal(12, attentionMatMuls.Count);
        var target = Path.Combine(RealModels.ScratchFolder("minilm-override"), "minilm.mixed.onnx");
        var options = new QuantizeOptions { Precision = Precision.Int8, Overrides = PrecisionOverride.Parse($"Softmax,{string.Join(',', attentionMatMuls)}=fp16", RealModels.MiniLmPath) };

        var result = QuantizeEngine.Quantize(RealModels.MiniLmPath, target, options);

        Assert.Equal(18, result.Overridden.Count);
        Assert.All(result.Overridden, o => Assert.Equal("FP16", o.Value));
        Assert.Equal(36, result.QuantizedByOpType["MatMul"]);
        var (written, _) = ModelReader.Load(target);
        var types = RuntimeTypeInference.Infer(written, target);
        var float16Nodes = written.Graph.Node.Where(n => n.OpType != "Cast" && n.Output.Any(o => types.GetValueOrDefault(o) == DataType.Float16)).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(result.Overridden.Select(o => o.Key).ToHashSet(StringComparer.Ordinal), float16Nodes);

        var expected = MiniLmEmbedder.Embed(RealModels.MiniLmPath, Sentences.All);
        var actual = MiniLmEmbedder.Embed(target, Sentences.All);
        double cosine = MiniLmEmbedder.MeanCosine(expected, actual);
        output.WriteLine($"MiniLM INT8 with Softmax + attention MatMuls in FP16: mean cosine {cosine:F6}, size {(double)result.BytesAfter / result.BytesBefore:F3} of FP32");
        Assert.True(cosine >= 0.99, $"mean cosine {cosine}");
    }

    private static (string Input, string Folder) Write(ModelProto model, string name)
    {
        var folder = RealModels.ScratchFolder(name);
        var input = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(input, model.ToByteArray());
        return (input, folder);
    }
}
