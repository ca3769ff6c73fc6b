using Quantize.Testing;
using Quantize.Testing.TestModels;

namespace Quantize.Cli.Tests;

/// <summary>
/// <c>--int4-method</c> through the CLI: gptq needs calibration data, and with it quantizes and says it calibrated; hqq is
/// data-free and writes the same model every time.
/// </summary>
[Trait(PassTraits.Requires, PassTraits.Passes)]
public sealed class Int4MethodCommandTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("int4-method");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Gptq_without_calibration_data_is_QNT0009_and_with_it_writes_a_model_that_differs_from_rtn()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var data = Path.Combine(_folder, "x.npy");
        File.WriteAllBytes(data, NpyWriter.Floats([.. Enumerable.Range(0, 8 * 64).Select(i => MathF.Sin(i * 0.37f) + MathF.Cos(i * 0.05f))], [8, 64]));

        var missing = CliProcess.Run(input, "-o", Path.Combine(_folder, "none.onnx"), "-p", "int4", "--int4-method", "gptq");
        var rtn = CliProcess.Run(input, "-o", Path.Combine(_folder, "rtn.onnx"), "-p", "int4", "--no-speed-check", "--quiet");
        var gptq = CliProcess.Run(input, "-o", Path.Combine(_folder, "gptq.onnx"), "-p", "int4", "--int4-method", "gptq", "--calibration-data", data, "--no-speed-check");

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("QNT0009: --int4-method 'gptq' needs calibration data", missing.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "none.onnx")));
        Assert.True(rtn.ExitCode == 0, rtn.ToString());
        Assert.True(gptq.ExitCode == 0, gptq.ToString());
        Assert.DoesNotContain("ignored", gptq.Stdout, StringComparison.Ordinal);
        Assert.False(File.ReadAllBytes(Path.Combine(_folder, "rtn.onnx")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(_folder, "gptq.onnx"))));
    }

    [Fact]
    public void Hqq_needs_no_data_and_writes_a_deterministic_model_that_differs_from_rtn()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());

        var rtn = CliProcess.Run(input, "-o", Path.Combine(_folder, "rtn.onnx"), "-p", "int4", "--no-speed-check", "--quiet");
        var first = CliProcess.Run(input, "-o", Path.Combine(_folder, "hqq1.onnx"), "-p", "int4", "--int4-method", "hqq", "--no-speed-check");
        var second = CliProcess.Run(input, "-o", Path.Combine(_folder, "hqq2.onnx"), "-p", "int4", "--int4-method", "hqq", "--no-speed-check", "--quiet");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(_folder, "hqq1.onnx")), File.ReadAllBytes(Path.Combine(_folder, "hqq2.onnx")));
        Assert.False(File.ReadAllBytes(Path.Combine(_folder, "rtn.onnx")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(_folder, "hqq1.onnx"))));
    }
}
