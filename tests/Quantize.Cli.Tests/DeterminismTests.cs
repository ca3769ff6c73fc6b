using Quantize.Testing;

namespace Quantize.Cli.Tests;

/// <summary>
/// Same model, same options → byte-identical files, even when written to different folders under
/// different names (no paths, times or dictionary order leak into the model).
/// </summary>
[Trait(PassTraits.Requires, PassTraits.Passes)]
public sealed class DeterminismTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("determinism");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("int8")]
    [InlineData("fp16")]
    public void Quantizing_MiniLm_twice_gives_identical_bytes(string precision)
    {
        var first = Path.Combine(_folder, "a", "minilm.onnx");
        var second = Path.Combine(_folder, "b", "second-copy.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(first)!);
        Directory.CreateDirectory(Path.GetDirectoryName(second)!);

        var one = CliProcess.Run(RealModels.MiniLmPath, "-o", first, "--precision", precision, "--quiet");
        var two = CliProcess.Run(RealModels.MiniLmPath, "-o", second, "--precision", precision, "--quiet", "--no-verify");

        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.True(two.ExitCode == 0, two.ToString());
        var a = File.ReadAllBytes(first);
        var b = File.ReadAllBytes(second);
        Assert.True(a.AsSpan().SequenceEqual(b), $"{precision}: {a.Length} vs {b.Length} bytes differ");
        Assert.True(a.Length < new FileInfo(RealModels.MiniLmPath).Length);
    }
}
