using System.Text.Json;
using Quantize.Testing;
using Quantize.Testing.TestModels;

namespace Quantize.Cli.Tests;

/// <summary>
/// <c>inspect</c> on models whose facts we know independently: the ones our tests build (so the expected
/// counts come from their definitions) and MiniLM / ResNet-18 (facts checked with ONNX's own tooling).
/// </summary>
public sealed class InspectTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("inspect");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Text_shows_the_subgraphs_and_the_op_histogram_of_ConstantAndIf()
    {
        var path = ModelFiles.Write(_folder, "constant-and-if.onnx", TestModelCatalog.ConstantAndIf());

        var run = CliProcess.Run("inspect", path);

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n').Select(l => l.TrimEnd()).ToList();
        // One MatMul reads the Constant, one sits in each branch of the If.
        Assert.Contains(lines, l => Columns(l) is ["ai.onnx", "MatMul", "3", "(2", "in", "subgraphs)"]);
        Assert.Contains(lines, l => Columns(l) is ["ai.onnx", "Constant", "1"]);
        Assert.Contains(lines, l => Columns(l) is ["ai.onnx", "If", "1"]);
        Assert.Contains("Operators (5 nodes, 2 of them in 2 subgraphs)", lines);
        Assert.Contains("Subgraphs: 2", lines);
        Assert.Contains(lines, l => Columns(l) is ["x", "float", "[4,", "32]"]);
        Assert.Contains(lines, l => Columns(l) is ["cond", "bool", "[]"]);
        // Three 32x32 float weights: one Constant, one outer initializer, one in the then-branch.
        Assert.Contains(lines, l => Columns(l) is ["float", "3", "tensors", "3072", "elements", "12.0", "KiB"]);
    }

    [Fact]
    public void Json_parses_and_carries_the_same_facts()
    {
        var path = ModelFiles.Write(_folder, "constant-and-if.onnx", TestModelCatalog.ConstantAndIf());

        var run = CliProcess.Run("inspect", path, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(8, root.GetProperty("irVersion").GetInt64());
        Assert.Equal(2, root.GetProperty("subgraphCount").GetInt32());
        Assert.Equal(5, root.GetProperty("nodeCount").GetInt32());
        Assert.Equal(2, root.GetProperty("nodesInSubgraphs").GetInt32());
        var matMul = root.GetProperty("operators").EnumerateArray().Single(o => o.GetProperty("opType").GetString() == "MatMul");
        Assert.Equal(3, matMul.GetProperty("count").GetInt32());
        Assert.Equal(2, matMul.GetProperty("inSubgraphs").GetInt32());
        Assert.Equal("ai.onnx", matMul.GetProperty("domain").GetString());
        var opset = Assert.Single(root.GetProperty("opsets").EnumerateArray());
        Assert.Equal(17, opset.GetProperty("version").GetInt64());
        var floats = Assert.Single(root.GetProperty("parameters").EnumerateArray());
        Assert.Equal(3 * 32 * 32 * 4, floats.GetProperty("bytes").GetInt64());
        Assert.Equal(3 * 32 * 32 * 4, root.GetProperty("parameterBytes").GetInt64());
        Assert.Equal(new FileInfo(path).Length, root.GetProperty("storedBytes").GetInt64());
    }

    [Fact]
    public void Symbolic_dimensions_are_shown_by_name()
    {
        var path = ModelFiles.Write(_folder, "attention.onnx", TestModelCatalog.AttentionBlock());

        var text = CliProcess.Run("inspect", path);
        var json = CliProcess.Run("inspect", path, "--json");

        Assert.Contains(text.Stdout.Split('\n'), l => Columns(l) is ["x", "float", "[batch,", "seq,", "32]"]);
        using var document = JsonDocument.Parse(json.Stdout);
        var shape = document.RootElement.GetProperty("inputs")[0].GetProperty("shape").EnumerateArray().ToList();
        Assert.Equal("batch", shape[0].GetProperty("symbol").GetString());
        Assert.Equal(JsonValueKind.Null, shape[0].GetProperty("value").ValueKind);
        Assert.Equal(32, shape[2].GetProperty("value").GetInt64());
    }

    [Fact]
    public void MiniLm_facts()
    {
        var run = CliProcess.Run("inspect", RealModels.MiniLmPath, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(7, root.GetProperty("irVersion").GetInt64());
        Assert.Contains(root.GetProperty("opsets").EnumerateArray(), o => o.GetProperty("domain").GetString() == "ai.onnx" && o.GetProperty("version").GetInt64() == 13);
        var ops = root.GetProperty("operators").EnumerateArray().ToDictionary(o => o.GetProperty("opType").GetString()!, o => o.GetProperty("count").GetInt32());
        Assert.Equal(48, ops["MatMul"]);
        Assert.Equal(1, ops["Gemm"]);
        Assert.Equal(53, ops["Gather"]);
        Assert.Equal(155, ops["Constant"]);
        Assert.Equal(0, root.GetProperty("subgraphCount").GetInt32());
        var inputs = root.GetProperty("inputs").EnumerateArray().ToList();
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], inputs.Select(i => i.GetProperty("name").GetString()));
        Assert.All(inputs, i => Assert.Equal("int64", i.GetProperty("elementType").GetString()));
        Assert.All(inputs, i => Assert.All(i.GetProperty("shape").EnumerateArray(), d => Assert.Equal(JsonValueKind.String, d.GetProperty("symbol").ValueKind)));
        Assert.Contains(root.GetProperty("outputs").EnumerateArray(), o => o.GetProperty("name").GetString() == "last_hidden_state");
        // The file is its float weights, nearly byte for byte.
        var floatBytes = root.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("elementType").GetString() == "float").GetProperty("bytes").GetInt64();
        Assert.InRange(floatBytes, 0.97 * new FileInfo(RealModels.MiniLmPath).Length, new FileInfo(RealModels.MiniLmPath).Length);
    }

    [Fact]
    public void ResNet18_initializers_listed_as_graph_inputs_are_not_shown_as_inputs()
    {
        // IR 3: every weight is also a graph input; callers feed only the image.
        var run = CliProcess.Run("inspect", RealModels.ResNet18Path, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(3, root.GetProperty("irVersion").GetInt64());
        var input = Assert.Single(root.GetProperty("inputs").EnumerateArray());
        Assert.Equal("float", input.GetProperty("elementType").GetString());
        Assert.Equal(4, input.GetProperty("shape").GetArrayLength());
        // Weights stored as float_data count at 4 bytes an element, like raw_data.
        var floats = root.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("elementType").GetString() == "float");
        Assert.Equal(4 * floats.GetProperty("elements").GetInt64(), floats.GetProperty("bytes").GetInt64());
        Assert.True(floats.GetProperty("elements").GetInt64() > 11_000_000);
    }

    [Fact]
    public void Inspecting_a_broken_file_is_a_QNT_error()
    {
        var path = Path.Combine(_folder, "broken.onnx");
        File.WriteAllText(path, "not a model");

        var run = CliProcess.Run("inspect", path);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"{path}(1,1): error QNT0002: ", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    private static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
