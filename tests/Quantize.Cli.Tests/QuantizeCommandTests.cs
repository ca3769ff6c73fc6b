using System.Globalization;
using System.Text.RegularExpressions;
using Quantize.Core.Onnx;
using Quantize.Testing;
using Quantize.Testing.TestModels;

namespace Quantize.Cli.Tests;

/// <summary>
/// Successful quantization through the real CLI: what it prints, what it writes, and that every option
/// reaches the engine (checked on the written model, not on our own echo of the option).
/// </summary>
[Trait(PassTraits.Requires, PassTraits.Passes)]
public sealed partial class QuantizeCommandTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("quantize");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Int8_summary_reports_nodes_sizes_and_time_and_the_file_runs()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var output = Path.Combine(_folder, "out", "mlp.int8.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);

        var run = CliProcess.Run(input, "-o", output, "--precision", "int8");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Quantized {input} -> {output} (int8)", run.Stdout, StringComparison.Ordinal);
        var lines = run.Stdout.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains("Nodes quantized: 3", lines);
        Assert.Contains(lines, l => Columns(l) is ["MatMul", "2"]);
        Assert.Contains(lines, l => Columns(l) is ["Gemm", "1"]);
        Assert.Contains(lines, l => l.StartsWith("Time: ", StringComparison.Ordinal));

        // The byte counts printed are the real file sizes, and the ratio is theirs.
        var size = SizeLine().Match(run.Stdout);
        Assert.True(size.Success, run.Stdout);
        Assert.Equal(new FileInfo(input).Length, long.Parse(size.Groups["before"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(new FileInfo(output).Length, long.Parse(size.Groups["after"].Value, CultureInfo.InvariantCulture));
        Assert.Equal((double)new FileInfo(output).Length / new FileInfo(input).Length, double.Parse(size.Groups["ratio"].Value, CultureInfo.InvariantCulture), 3);

        Assert.Equal(["mlp.int8.onnx"], ModelFiles.Entries(Path.GetDirectoryName(output)!));
        var x = Enumerable.Range(0, 2 * 64).Select(i => MathF.Sin(i * 0.37f)).ToArray();
        var expected = OrtRunner.Run(input, new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(x, 2, 64) })["y"];
        var actual = OrtRunner.Run(output, new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(x, 2, 64) })["y"];
        Assert.True(Similarity.Cosine(expected, actual) > 0.99);
    }

    [Fact]
    public void Quantizing_replaces_an_existing_output()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var output = Path.Combine(_folder, "mlp.int8.onnx");
        File.WriteAllText(output, "stale");

        var run = CliProcess.Run(input, "-o", output, "-p", "int8");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(TestModelCatalog.Mlp().Graph.Output[0].Name, ModelProto.Parser.ParseFrom(File.ReadAllBytes(output)).Graph.Output[0].Name);
    }

    [Fact]
    public void Excluded_nodes_keep_their_float_weights()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var output = Path.Combine(_folder, "mlp.int8.onnx");

        var run = CliProcess.Run(input, "-o", output, "-p", "int8", "--exclude", "fc1", "-x", "Gemm");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Nodes quantized: 1", run.Stdout, StringComparison.Ordinal);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(output));
        var initializers = model.Graph.Initializer.ToDictionary(i => i.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Float, initializers["fc1.weight"].DataType);
        Assert.Equal((int)TensorProto.Types.DataType.Float, initializers["head.weight"].DataType);
        Assert.DoesNotContain("fc2.weight", initializers.Keys);
    }

    [Fact]
    public void Nothing_eligible_is_a_canonical_QNT1002_warning_and_success()
    {
        // Every weight of the MLP has at most 8192 elements.
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var output = Path.Combine(_folder, "mlp.int8.onnx");

        var run = CliProcess.Run(input, "-o", output, "-p", "int8", "--min-elements", "10000");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"{input}(1,1): warning QNT1002: ", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("--calibration-data", run.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(output));
    }

    [Theory]
    [InlineData("int8")]
    [InlineData("int4")]
    public void Nothing_eligible_on_a_conv_model_points_to_static_int8_and_skips_the_speed_check(string precision)
    {
        // The CNN's only MatMul-style weight (the 160-element Gemm) is under --min-elements; its Convs are static-INT8 work.
        var input = ModelFiles.Write(_folder, "cnn.onnx", TestModelCatalog.SmallCnn());

        var run = CliProcess.Run(input, "-o", Path.Combine(_folder, "cnn.q.onnx"), "-p", precision, "--min-elements", "10000");

        Assert.True(run.ExitCode == 0, run.ToString());
        var warning = run.Stdout.Split('\n').Single(l => l.Contains("warning QNT1002", StringComparison.Ordinal));
        Assert.Contains("static INT8", warning, StringComparison.Ordinal);
        Assert.Contains("--calibration-data", warning, StringComparison.Ordinal);
        // Fixed input shapes would allow timing on zeros, but two identical graphs have nothing to compare.
        Assert.Contains("No speed check: nothing was quantized", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("QNT1005", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Quiet_prints_only_warnings()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());

        var quiet = CliProcess.Run(input, "-o", Path.Combine(_folder, "a.onnx"), "-p", "int8", "--quiet");
        var quietWithWarning = CliProcess.Run(input, "-o", Path.Combine(_folder, "b.onnx"), "-p", "int8", "--quiet", "--min-elements", "10000");

        Assert.True(quiet.ExitCode == 0, quiet.ToString());
        Assert.Equal("", quiet.Stdout);
        Assert.Equal("", quiet.Stderr);
        var line = Assert.Single(quietWithWarning.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"{input}(1,1): warning QNT1002: ", line, StringComparison.Ordinal);
        Assert.Equal("", quietWithWarning.Stderr);
    }

    [Fact]
    public void Options_the_precision_does_not_use_are_named_in_a_note()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());

        var run = CliProcess.Run(input, "-o", Path.Combine(_folder, "o.onnx"), "-p", "int8", "--block-size", "64", "--convert-io");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Note: --block-size applies only to int4; ignored for int8.", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Note: --convert-io applies only to fp16/bf16; ignored for int8.", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Fp16_says_it_is_expected_to_be_slower_on_cpu()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());

        var run = CliProcess.Run(input, "-o", Path.Combine(_folder, "o.onnx"), "-p", "fp16");

        Assert.True(run.ExitCode == 0, run.ToString());
        // Said once: either the pass's own QNT1003 warning or the CLI's sentence.
        Assert.True(run.Stdout.Contains("warning QNT1003", StringComparison.Ordinal) ^ run.Stdout.Contains("Speed: expect this FP16 model to run slower", StringComparison.Ordinal), run.Stdout);
        // Converted weights are counted apart from nodes (the MLP has 6 float initializers).
        var lines = run.Stdout.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains("Initializers converted: 6", lines);
        Assert.DoesNotContain(lines, l => Columns(l) is ["initializer", _]);
    }

    [Theory]
    [InlineData(false, "float")]
    [InlineData(true, "float16")]
    public void Convert_io_decides_the_fp16_model_interface(bool convertIo, string expectedType)
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var output = Path.Combine(_folder, "o.onnx");

        var run = CliProcess.Run([input, "-o", output, "-p", "fp16", .. convertIo ? new[] { "--convert-io" } : []]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(output));
        Assert.Equal(expectedType, Quantize.Core.Inspection.ElementTypes.Name(model.Graph.Input.Single().Type.TensorType.ElemType));
        Assert.Equal(expectedType, Quantize.Core.Inspection.ElementTypes.Name(model.Graph.Output.Single().Type.TensorType.ElemType));
    }

    [Fact]
    public void Int4_block_size_and_accuracy_level_reach_MatMulNBits()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var output = Path.Combine(_folder, "o.onnx");

        var run = CliProcess.Run(input, "-o", output, "-p", "int4", "--block-size", "64", "--accuracy-level", "1");

        Assert.True(run.ExitCode == 0, run.ToString());
        var nodes = ModelProto.Parser.ParseFrom(File.ReadAllBytes(output)).Graph.Node.Where(n => n.OpType == "MatMulNBits").ToList();
        Assert.NotEmpty(nodes);
        Assert.All(nodes, n => Assert.Equal(64, n.Attribute.Single(a => a.Name == "block_size").I));
        Assert.All(nodes, n => Assert.Equal(1, n.Attribute.Single(a => a.Name == "accuracy_level").I));
    }

    [Fact]
    public void Int4_without_block_size_chooses_per_weight_and_says_which()
    {
        var input = ModelFiles.Write(_folder, "attention.onnx", TestModelCatalog.AttentionBlock());
        var output = Path.Combine(_folder, "o.onnx");

        var run = CliProcess.Run(input, "-o", output, "-p", "int4");

        Assert.True(run.ExitCode == 0, run.ToString());
        var sizes = ModelProto.Parser.ParseFrom(File.ReadAllBytes(output)).Graph.Node
            .Where(n => n.OpType == "MatMulNBits")
            .ToDictionary(n => n.Name, n => n.Attribute.Single(a => a.Name == "block_size").I);
        Assert.Equal(new Dictionary<string, long> { ["query_matmul"] = 32, ["key_matmul"] = 32, ["value_matmul"] = 16, ["out_matmul"] = 16 }, sizes);
        Assert.Contains("INT4 block sizes: 2 of 4 MatMul weights use blocks of 16", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Int4_qdq_format_writes_standard_onnx_int4()
    {
        var input = ModelFiles.Write(_folder, "mlp21.onnx", TestModelCatalog.Mlp(opset: 21));
        var output = Path.Combine(_folder, "o.onnx");

        var run = CliProcess.Run(input, "-o", output, "-p", "int4", "--int4-format", "qdq");

        Assert.True(run.ExitCode == 0, run.ToString());
        var inspect = CliProcess.Run("inspect", output);
        Assert.DoesNotContain("MatMulNBits", inspect.Stdout, StringComparison.Ordinal);
        Assert.Contains(inspect.Stdout.Split('\n'), l => Columns(l) is ["ai.onnx", "DequantizeLinear", ..]);
        Assert.Contains(inspect.Stdout.Split('\n'), l => Columns(l) is ["int4", ..]);
    }

    private static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex(@"\((?<before>\d+) -> (?<after>\d+) bytes, ratio (?<ratio>[0-9.]+)\)")]
    private static partial Regex SizeLine();
}
