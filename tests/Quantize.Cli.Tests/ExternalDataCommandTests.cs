using Quantize.Testing;
using Quantize.Testing.TestModels;

namespace Quantize.Cli.Tests;

/// <summary><c>--external-data</c>: where the written model's weights go, and that either form computes the same.</summary>
[Trait(PassTraits.Requires, PassTraits.Passes)]
public sealed class ExternalDataCommandTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("external-data");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Always_writes_the_weights_beside_the_model_and_computes_what_the_inline_model_does()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var inline = Path.Combine(_folder, "inline.onnx");
        var external = Path.Combine(_folder, "external.onnx");

        var never = CliProcess.Run(input, "-o", inline, "-p", "int8", "--external-data", "never", "--no-speed-check", "--quiet");
        var always = CliProcess.Run(input, "-o", external, "-p", "int8", "--external-data", "Always", "--no-speed-check");

        Assert.True(never.ExitCode == 0, never.ToString());
        Assert.True(always.ExitCode == 0, always.ToString());
        Assert.False(File.Exists(inline + ".data"));
        Assert.True(File.Exists(external + ".data"));
        Assert.Contains("  Weights in: external.onnx.data, beside the model (keep them together)", always.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Weights in:", CliProcess.Run(input, "-o", Path.Combine(_folder, "again.onnx"), "-p", "int8", "--no-speed-check").Stdout, StringComparison.Ordinal);
        Assert.True(new FileInfo(external).Length < new FileInfo(inline).Length / 2, "the weights stayed inline");
        Assert.Empty(Directory.EnumerateDirectories(_folder));
        var x = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(Enumerable.Range(0, 128).Select(i => MathF.Sin(i * 0.37f)).ToArray(), 2, 64) };
        Assert.Equal(OrtRunner.Run(inline, x)["y"], OrtRunner.Run(external, x)["y"]);
    }

    [Fact]
    public void An_unknown_mode_is_QNT0009_naming_the_option()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());

        var run = CliProcess.Run(input, "-o", Path.Combine(_folder, "o.onnx"), "-p", "int8", "--external-data", "sometimes");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("QNT0009: --external-data 'sometimes' is unknown; use auto, always or never.", run.Stderr, StringComparison.Ordinal);
    }
}
