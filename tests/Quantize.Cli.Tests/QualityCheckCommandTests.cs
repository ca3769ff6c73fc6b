using System.Text;
using System.Text.RegularExpressions;
using Quantize.Testing;
using Quantize.Testing.TestModels;

namespace Quantize.Cli.Tests;

/// <summary>
/// The quality check through the real CLI: validation data and gates on the command line, the evaluation table
/// and speed line on stdout, a failing gate as a canonical QNT0018 line with a non-zero exit and no output file.
/// </summary>
[Trait(PassTraits.Requires, PassTraits.Passes)]
public sealed partial class QualityCheckCommandTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("quality-cli");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_passing_gate_writes_the_model_and_prints_the_evaluation_table_speed_line_and_data_source()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var validation = WriteMlpSamples("validation", 6, 64);
        var outputPath = Path.Combine(_folder, "out", "mlp.int8.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);

        var run = CliProcess.Run(input, "-o", outputPath, "-p", "int8", "--validation-data", validation, "--top1", "y",
            "--min-cosine", "0.9", "--max-top1-drop", "0.5");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["mlp.int8.onnx"], ModelFiles.Entries(Path.GetDirectoryName(outputPath)!));
        Assert.Contains("Accuracy vs float, on validation data (6 samples):", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(TableRow(), run.Stdout);
        Assert.Matches(SpeedLine(), run.Stdout);
        Assert.Contains("Gates passed: MinCosine 0.9, MaxTop1Drop 0.5", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_gate_is_a_QNT0018_line_exit_1_and_no_output_file()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var validation = WriteMlpSamples("validation", 3, 64);
        var outputPath = Path.Combine(_folder, "out", "mlp.int8.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);

        var run = CliProcess.Run(input, "-o", outputPath, "-p", "int8", "--validation-data", validation, "--min-sqnr", "500", "--no-speed-check");

        Assert.True(run.ExitCode == 1, run.ToString());
        var error = Assert.Single(run.Stderr.Split('\n'), l => l.Contains("error QNT", StringComparison.Ordinal));
        Assert.StartsWith($"{input}(1,1): error QNT0018: '{input}' (Int8) does not meet its quality gates: MinSqnr 500 dB not met by output 'y': SQNR ", error, StringComparison.Ordinal);
        Assert.Contains("Measured on validation data (3 samples).", error, StringComparison.Ordinal);
        // The measurements are printed before the error so it can be acted on.
        Assert.Contains("Quality check of", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(TableRow(), run.Stdout);
        Assert.Empty(ModelFiles.Entries(Path.GetDirectoryName(outputPath)!));
    }

    [Fact]
    public void An_accuracy_gate_without_data_is_QNT0020()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var outputPath = Path.Combine(_folder, "mlp.int8.onnx");

        var run = CliProcess.Run(input, "-o", outputPath, "-p", "int8", "--min-cosine", "0.99");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"{input}(1,1): error QNT0020: ", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(outputPath));
    }

    [Fact]
    public void Validation_data_of_the_wrong_shape_is_QNT0016_and_writes_nothing()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var validation = WriteMlpSamples("validation", 1, 32);
        var outputPath = Path.Combine(_folder, "mlp.int8.onnx");

        var run = CliProcess.Run(input, "-o", outputPath, "-p", "int8", "--validation-data", validation, "--no-speed-check");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("error QNT0016", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(outputPath));
    }

    [Fact]
    public void Validation_data_missing_an_input_is_QNT0015_and_writes_nothing()
    {
        // A .npy file holds one tensor; this model takes two inputs.
        var input = ModelFiles.Write(_folder, "sum.onnx", TwoInputModel());
        var validation = WriteMlpSamples("validation", 1, 64);
        var outputPath = Path.Combine(_folder, "sum.int8.onnx");

        var run = CliProcess.Run(input, "-o", outputPath, "-p", "int8", "--validation-data", validation, "--no-speed-check");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("error QNT0015", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(outputPath));
    }

    [Fact]
    public void Static_int8_without_validation_data_evaluates_on_held_out_calibration_samples_and_says_so()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var calibration = WriteMlpSamples("calibration", 10, 64);
        var outputPath = Path.Combine(_folder, "mlp.int8.onnx");

        var run = CliProcess.Run(input, "-o", outputPath, "-p", "int8", "--calibration-data", calibration, "--min-cosine", "0.5", "--no-speed-check");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Accuracy vs float, on held-out calibration samples (2 of 10; calibrated on the other 8):", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Calibration: MinMax, 8 samples, ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Note: The speed check was turned off.", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void MiniLm_int8_is_evaluated_on_sentences_with_the_calibration_text_options()
    {
        var text = Path.Combine(_folder, "validation.txt");
        File.WriteAllText(text, string.Join("\n", Sentences.All.Take(8)) + "\n", new UTF8Encoding(false));
        var outputPath = Path.Combine(_folder, "minilm.int8.onnx");

        var run = CliProcess.Run(RealModels.MiniLmPath, "-o", outputPath, "-p", "int8", "--validation-data", text, "--vocab", RealModels.MiniLmVocabPath,
            "--min-cosine", "0.95", "--no-speed-check");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Accuracy vs float, on validation data (8 samples):", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\n\s+last_hidden_state\s+0\.9\d+\s", run.Stdout);
        Assert.DoesNotContain("--vocab", run.Stdout, StringComparison.Ordinal); // not reported as an ignored static option
    }

    [Fact]
    public void Report_writes_html_and_markdown_also_when_a_gate_fails()
    {
        var input = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var validation = WriteMlpSamples("validation", 3, 64);
        var reports = Path.Combine(_folder, "reports");
        var outputPath = Path.Combine(_folder, "out", "mlp.int8.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);

        var passed = CliProcess.Run(input, "-o", outputPath, "-p", "int8", "--validation-data", validation, "--report", reports, "--no-speed-check");
        Assert.True(passed.ExitCode == 0, passed.ToString());
        var html = Path.Combine(reports, "mlp.quantize-report.html");
        Assert.Contains(html, passed.Stdout, StringComparison.Ordinal);
        Assert.Contains("<table", File.ReadAllText(html), StringComparison.Ordinal);
        Assert.Contains("validation data", File.ReadAllText(Path.Combine(reports, "mlp.quantize-report.md")), StringComparison.Ordinal);

        File.Delete(html);
        var failed = CliProcess.Run(input, "-o", outputPath + ".2", "-p", "int8", "--validation-data", validation, "--report", reports, "--min-sqnr", "500", "--no-speed-check");
        Assert.True(failed.ExitCode == 1, failed.ToString());
        Assert.Contains("MinSqnr", File.ReadAllText(html), StringComparison.Ordinal);
    }

    [Fact]
    public void Report_is_accepted_and_help_lists_every_quality_option()
    {
        var help = CliProcess.Run("quantize", "--help");

        foreach (var option in new[] { "--validation-data", "--top1", "--min-cosine", "--min-sqnr", "--max-top1-drop", "--min-speedup", "--no-speed-check", "--report" })
        {
            Assert.Contains(option, help.Stdout, StringComparison.Ordinal);
        }
    }

    /// <summary>A row of the evaluation table: output name, cosine, SQNR, max abs, relative L2, top-1.</summary>
    [GeneratedRegex(@"\n\s+y\s+0\.\d{6}\s+-?[\d.]+\s+[\d.]+\s+[\d.]+\s+(\d+\.\d\d%|-)")]
    private static partial Regex TableRow();

    [GeneratedRegex(@"Speed \(this machine's CPU, median of \d+ interleaved runs each\): float [\d.]+ ms, quantized [\d.]+ ms, speedup [\d.]+x")]
    private static partial Regex SpeedLine();

    /// <summary>y = (x + bias) · W with inputs x and bias, both [batch, 64].</summary>
    private static Core.Onnx.ModelProto TwoInputModel()
    {
        var b = new ModelBuilder(17);
        var x = b.Input("x", Core.Onnx.TensorProto.Types.DataType.Float, "batch", 64);
        var bias = b.Input("bias", Core.Onnx.TensorProto.Types.DataType.Float, "batch", 64);
        var sum = b.Node("Add", [x, bias], "add");
        b.Node("MatMul", [sum, b.RandomInitializer("w", 0.2f, 64, 16)], "fc", "y");
        b.Output("y", Core.Onnx.TensorProto.Types.DataType.Float, "batch", 16);
        return b.Model;
    }

    private string WriteMlpSamples(string name, int count, int width)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;
        for (int i = 0; i < count; i++)
        {
            var random = new Random(50 + i);
            var values = Enumerable.Range(0, width).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            File.WriteAllBytes(Path.Combine(folder, $"{i:D2}.npy"), NpyWriter.Floats(values, [1, width]));
        }

        return folder;
    }
}
