using Google.Protobuf;
using Quantize.Core.Onnx;

namespace Quantize.Core.Tests.Engine;

/// <summary>
/// The cross product every pass must survive: each precision on each test model, at several opsets, in
/// both branches of models with an If. The output must load in ONNX Runtime, run, and stay close to the
/// float model (cosine over all outputs); quantizing twice must give byte-identical files.
/// </summary>
public class EveryPassOnEveryModelTests
{
    /// <summary>Minimum output cosine per precision on the random-weight test models.</summary>
    private static readonly Dictionary<Precision, double> MinCosine = new()
    {
        [Precision.Fp16] = 0.9999,
        [Precision.Bf16] = 0.999,
        [Precision.Int8] = 0.995,
        [Precision.Int4] = 0.97,
    };

    private static readonly Dictionary<string, Func<ModelProto>> Models = new()
    {
        ["Mlp"] = () => TestModelCatalog.Mlp(),
        ["Mlp-opset7"] = () => TestModelCatalog.Mlp(opset: 7),
        ["Mlp-opset11"] = () => TestModelCatalog.Mlp(opset: 11),
        ["Mlp-opset21"] = () => TestModelCatalog.Mlp(opset: 21),
        ["SmallCnn"] = () => TestModelCatalog.SmallCnn(),
        ["SmallCnn-opset9"] = () => TestModelCatalog.SmallCnn(opset: 9),
        ["AttentionBlock"] = () => TestModelCatalog.AttentionBlock(),
        ["AttentionBlock-opset21"] = () => TestModelCatalog.AttentionBlock(opset: 21),
        ["ConstantAndIf"] = () => TestModelCatalog.ConstantAndIf(),
        ["NonTopological"] = () => TestModelCatalog.NonTopological(),
        ["Embedding"] = () => TestModelCatalog.Embedding(),
        ["UnusedDomains"] = () => WithUnusedDomains(TestModelCatalog.Mlp()),
        ["IrVersion3"] = () => AsIrVersion3(TestModelCatalog.Mlp(opset: 8)),
    };

    public static TheoryData<string, Precision> Cases()
    {
        var data = new TheoryData<string, Precision>();
        foreach (var model in Models.Keys)
        {
            foreach (var precision in Enum.GetValues<Precision>())
            {
                data.Add(model, precision);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Output_loads_runs_is_close_to_float_and_is_deterministic(string modelName, Precision precision)
    {
        var folder = RealModels.ScratchFolder($"matrix-{modelName}-{precision}");
        var input = Path.Combine(folder, "model.onnx");
        var original = Models[modelName]();
        File.WriteAllBytes(input, original.ToByteArray());
        var first = Path.Combine(folder, "first.onnx");
        var second = Path.Combine(folder, "second.onnx");
        if (precision == Precision.Bf16 && original.OpsetImport.Single(o => o.Domain.Length == 0).Version < 13)
        {
            // Cast reads bfloat16 only from opset 13; the pass refuses rather than raising the opset.
            var error = Assert.Throws<Core.Diagnostics.QuantizeException>(() => QuantizeEngine.Quantize(input, first, new QuantizeOptions { Precision = precision }));
            Assert.Equal(ErrorCodes.OpsetTooOld, error.Code);
            Assert.False(File.Exists(first));
            return;
        }

        var result = QuantizeEngine.Quantize(input, first, new QuantizeOptions { Precision = precision });
        QuantizeEngine.Quantize(input, second, new QuantizeOptions { Precision = precision });

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        Assert.Equal(new FileInfo(first).Length, result.BytesAfter);
        foreach (bool condition in original.Graph.Input.Any(i => i.Name == "cond") ? new[] { true, false } : [true])
        {
            var inputs = ModelInputs.For(original, condition: condition);
            var expected = OrtRunner.Run(original, inputs);
            var actual = OrtRunner.Run(first, inputs);
            foreach (var (name, values) in expected)
            {
                double cosine = Similarity.Cosine(values, actual[name]);
                Assert.True(cosine >= MinCosine[precision], $"{modelName} {precision} output {name} (cond={condition}): cosine {cosine:F6} < {MinCosine[precision]}");
            }
        }
    }

    /// <summary>Exporters import domains they never use; that must not be taken as custom-op usage.</summary>
    private static ModelProto WithUnusedDomains(ModelProto model)
    {
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx.contrib", Version = 1 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx.ml", Version = 3 });
        return model;
    }

    /// <summary>IR 3 models list every initializer among the graph inputs.</summary>
    private static ModelProto AsIrVersion3(ModelProto model)
    {
        model.IrVersion = 3;
        foreach (var initializer in model.Graph.Initializer)
        {
            var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = initializer.DataType, Shape = new TensorShapeProto() } };
            type.TensorType.Shape.Dim.AddRange(initializer.Dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
            model.Graph.Input.Add(new ValueInfoProto { Name = initializer.Name, Type = type });
        }

        return model;
    }
}
