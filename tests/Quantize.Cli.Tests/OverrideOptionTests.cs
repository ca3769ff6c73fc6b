using Quantize.Core.Onnx;
using Quantize.Testing;
using Quantize.Testing.TestModels;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Cli.Tests;

/// <summary><c>--override SELECTOR=PRECISION</c> through the real CLI: it reaches the engine (checked on the written model) and bad values fail with their codes.</summary>
[Trait(PassTraits.Requires, PassTraits.Passes)]
public sealed class OverrideOptionTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("override");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Repeated_overrides_keep_one_matmul_in_fp32_and_one_in_fp16()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var output = Path.Combine(_folder, "mlp.mixed.onnx");

        var run = CliProcess.Run(input, "-o", output, "-p", "int8", "--override", "fc1=fp32", "--override", "fc2=fp16");

        Assert.True(run.ExitCode == 0, run.ToString());
        var (model, _) = ModelReader.Load(output);
        var fc1 = model.Graph.Node.Single(n => n.Name == "fc1");
        var fc2 = model.Graph.Node.Single(n => n.Name == "fc2");
        Assert.Equal(DataType.Float, model.Graph.Initializer.Single(i => i.Name == fc1.Input[1]).ElementType());
        Assert.Equal(DataType.Float16, model.Graph.Initializer.Single(i => i.Name == fc2.Input[1]).ElementType());
        Assert.Contains(model.Graph.Node, n => n.OpType == "MatMulInteger");
    }

    [Fact]
    public void Override_matching_nothing_is_QNT0006_with_a_suggestion()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());

        var run = CliProcess.Run(input, "-o", Path.Combine(_folder, "out.onnx"), "-p", "int8", "--override", "fc3=fp16");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("QNT0006", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'fc1'?", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Override_without_a_precision_is_QNT0009()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());

        var run = CliProcess.Run(input, "-o", Path.Combine(_folder, "out.onnx"), "-p", "int8", "--override", "fc1");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("QNT0009", run.Stderr, StringComparison.Ordinal);
    }
}
