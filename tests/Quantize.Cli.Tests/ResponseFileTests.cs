using System.Text.Json;
using Quantize.Testing;
using Quantize.Testing.TestModels;

namespace Quantize.Cli.Tests;

/// <summary>
/// The build task runs <c>dotnet Quantize.Cli.dll @args.rsp</c>. Response files are expanded by
/// System.CommandLine: each line is split like a command line (quote paths with spaces), # starts a comment.
/// </summary>
public sealed class ResponseFileTests : IDisposable
{
    private readonly string _folder;

    public ResponseFileTests()
    {
        _folder = Path.Combine(RealModels.ScratchFolder("response files"), "my models");
        Directory.CreateDirectory(_folder);
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_folder)!, recursive: true);

    [Fact]
    public void Inspect_from_a_response_file_with_spaces_in_every_path()
    {
        var model = ModelFiles.Write(_folder, "constant and if.onnx", TestModelCatalog.ConstantAndIf());
        var rsp = WriteResponseFile("inspect args.rsp", "# written by a build task", "inspect", Quote(model), "--json");

        var run = CliProcess.Run("@" + rsp);

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal(model, json.RootElement.GetProperty("path").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("subgraphCount").GetInt32());
    }

    [Fact]
    public void Quantize_options_arrive_from_a_response_file()
    {
        // An exclusion that matches nothing proves the model path, precision and --exclude all arrived
        // intact, and fails before any pass runs.
        var model = ModelFiles.Write(_folder, "m l p.onnx", TestModelCatalog.Mlp());
        var output = Path.Combine(_folder, "out put.onnx");
        var rsp = WriteResponseFile("quantize.rsp", "quantize", Quote(model), $"-o {Quote(output)}", "--precision int8", "--exclude fc1,fc_2");

        var run = CliProcess.Run("@" + rsp);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"{model}(1,1): error QNT0006: Exclusion 'fc_2' matches no node name or op type in the model. Did you mean 'fc2'?", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_response_file_may_leave_out_the_command_name()
    {
        var model = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var rsp = WriteResponseFile("default.rsp", $"{Quote(model)} -o {Quote(Path.Combine(_folder, "o.onnx"))} -p bf17");

        var run = CliProcess.Run("@" + rsp);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.StartsWith($"{model}(1,1): error QNT0003: ", run.Stderr.Split('\n').Last(l => l.Length > 0), StringComparison.Ordinal);
    }

    [Fact]
    public void Response_file_and_command_line_arguments_combine()
    {
        var model = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var rsp = WriteResponseFile("common.rsp", "--precision int8", "--exclude Relu");

        var run = CliProcess.Run("quantize", model, "-o", Path.Combine(_folder, "o.onnx"), "@" + rsp, "--exclude", "Gemmm");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("error QNT0006: Exclusion 'Gemmm'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'Gemm'?", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_response_file_is_a_usage_error()
    {
        var run = CliProcess.Run("@" + Path.Combine(_folder, "nope.rsp"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("nope.rsp", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("--output", run.Stderr, StringComparison.Ordinal);
    }

    private string WriteResponseFile(string name, params string[] lines)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private static string Quote(string path) => $"\"{path}\"";
}
