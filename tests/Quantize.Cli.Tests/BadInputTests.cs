using Quantize.Core.Onnx;
using Quantize.Testing;
using Quantize.Testing.TestModels;

namespace Quantize.Cli.Tests;

/// <summary>
/// Bad input through the real CLI: each case must give its documented QNT code as a canonical error
/// line on stderr, exit code 1, and leave nothing in the output folder. All of these fail before a pass
/// runs, so they hold whichever passes exist.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("bad-input");
    private readonly string _outFolder;

    public BadInputTests()
    {
        _outFolder = Path.Combine(_folder, "out");
        Directory.CreateDirectory(_outFolder);
    }

    private string Output => Path.Combine(_outFolder, "result.onnx");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Truncated_real_model_is_QNT0002()
    {
        var bytes = File.ReadAllBytes(RealModels.MiniLmPath);
        var path = Path.Combine(_folder, "half-minilm.onnx");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var run = CliProcess.Run(path, "-o", Output, "--precision", "int8");

        AssertFails(run, path, "QNT0002");
        Assert.Contains("so it is truncated", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_file_is_QNT0002()
    {
        var path = Path.Combine(_folder, "notes.onnx");
        File.WriteAllText(path, "This is a README someone saved with the wrong extension.\nIt has two lines.\n");

        AssertFails(CliProcess.Run(path, "-o", Output, "--precision", "fp16"), path, "QNT0002");
    }

    [Fact]
    public void Png_like_binary_is_QNT0002()
    {
        // PNG signature, an IHDR chunk header, then seeded noise: binary that protobuf may half-parse.
        var random = new Random(1234);
        var noise = new byte[4096];
        random.NextBytes(noise);
        byte[] header = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 1, 0, 0, 0, 1, 0, 8, 6, 0, 0, 0];
        var path = Path.Combine(_folder, "photo.onnx");
        File.WriteAllBytes(path, [.. header, .. noise]);

        AssertFails(CliProcess.Run(path, "-o", Output, "--precision", "int4"), path, "QNT0002");
    }

    [Fact]
    public void Missing_model_is_QNT0001()
    {
        var path = Path.Combine(_folder, "does-not-exist.onnx");

        AssertFails(CliProcess.Run(path, "-o", Output, "--precision", "int8"), path, "QNT0001");
    }

    [Theory]
    [InlineData("int9")]
    [InlineData("float8")]
    [InlineData("")]
    public void Unknown_precision_is_QNT0003_not_a_usage_error(string precision)
    {
        var path = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());

        var run = CliProcess.Run(path, "-o", Output, "--precision", precision);

        AssertFails(run, path, "QNT0003");
        Assert.Contains("fp16, bf16, int8, int4", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void External_data_outside_the_model_folder_is_QNT0004()
    {
        // The file exists and is big enough, so only the location policy can refuse it.
        var modelFolder = Path.Combine(_folder, "model");
        Directory.CreateDirectory(modelFolder);
        File.WriteAllBytes(Path.Combine(_folder, "secret.bin"), new byte[1 << 16]);
        var path = ModelFiles.Write(modelFolder, "model.onnx", ModelFiles.MlpWithExternalWeight("../secret.bin"));

        var run = CliProcess.Run(path, "-o", Output, "--precision", "int8");

        AssertFails(run, path, "QNT0004");
        Assert.Contains("../secret.bin", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void External_data_at_an_absolute_path_is_QNT0004()
    {
        var secret = Path.Combine(_folder, "absolute-secret.bin");
        File.WriteAllBytes(secret, new byte[1 << 16]);
        var modelFolder = Path.Combine(_folder, "model");
        Directory.CreateDirectory(modelFolder);
        var path = ModelFiles.Write(modelFolder, "model.onnx", ModelFiles.MlpWithExternalWeight(secret));

        AssertFails(CliProcess.Run(path, "-o", Output, "--precision", "fp16"), path, "QNT0004");
    }

    [Fact]
    public void Exclusion_matching_nothing_is_QNT0006_and_suggests_the_closest_op_type()
    {
        var path = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());

        var run = CliProcess.Run(path, "-o", Output, "--precision", "int8", "--exclude", "fc1,Relux");

        AssertFails(run, path, "QNT0006");
        Assert.Contains("'Relux'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'Relu'?", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Exclusion_matching_nothing_suggests_the_closest_node_name_across_repeated_options()
    {
        var path = ModelFiles.Write(_folder, "attention.onnx", TestModelCatalog.AttentionBlock());

        var run = CliProcess.Run(path, "-o", Output, "--precision", "fp16", "-x", "softmax", "--exclude", "query_matmull");

        AssertFails(run, path, "QNT0006");
        Assert.Contains("Did you mean 'query_matmul'?", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--block-size", "17")]
    [InlineData("--block-size", "8")]
    [InlineData("--accuracy-level", "5")]
    [InlineData("--min-elements", "-1")]
    [InlineData("--int4-format", "nibbles")]
    public void Invalid_option_value_is_QNT0009(string option, string value)
    {
        var path = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());

        AssertFails(CliProcess.Run(path, "-o", Output, "--precision", "int4", option, value), path, "QNT0009");
    }

    [Fact]
    public void A_failure_leaves_an_existing_output_untouched()
    {
        var path = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        byte[] previous = [1, 2, 3, 4, 5];
        File.WriteAllBytes(Output, previous);

        var run = CliProcess.Run(path, "-o", Output, "--precision", "int8", "--exclude", "NoSuchOp");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(previous, File.ReadAllBytes(Output));
        Assert.Equal(["result.onnx"], ModelFiles.Entries(_outFolder));
    }

    [Fact]
    public void Progress_goes_to_stderr_as_plain_lines_when_redirected()
    {
        var path = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());

        var run = CliProcess.Run(path, "-o", Output, "--precision", "int8", "--exclude", "NoSuchOp");

        Assert.Contains("mlp.onnx: reading [", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("reading", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Quiet_suppresses_progress()
    {
        var path = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());

        var run = CliProcess.Run(path, "-o", Output, "--precision", "int8", "--exclude", "NoSuchOp", "--quiet");

        AssertFails(run, path, "QNT0006");
        Assert.DoesNotContain("reading", run.Stderr, StringComparison.Ordinal);
    }

    private void AssertFails(CliRun run, string modelPath, string code)
    {
        Assert.True(run.ExitCode == 1, run.ToString());
        // The canonical MSBuild line, about the model, exactly once.
        var prefix = $"{modelPath}(1,1): error {code}: ";
        var lines = run.Stderr.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 1, run.ToString());
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("error", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(ModelFiles.Entries(_outFolder));
    }
}
