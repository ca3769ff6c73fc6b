using System.Security.Cryptography;
using Quantize.Testing;
using Quantize.Testing.TestModels;

namespace Quantize.Cli.Tests;

/// <summary>
/// Refactoring must not change what the engine writes: the SHA-256 of the output of every precision, and of the
/// settings people change most, on the test catalog and MiniLM, is pinned in Baselines/output-digests.txt. Only
/// passes that do not run ONNX Runtime to decide anything are pinned (static INT8's ranges come from ONNX Runtime's
/// float arithmetic, which differs between CPUs in the last bits). A change that is meant to alter outputs updates
/// the file with <c>QUANTIZE_UPDATE_BASELINES=1</c>, and the diff shows which outputs it altered.
/// </summary>
[Trait(PassTraits.Requires, PassTraits.Passes)]
public sealed class OutputDigestTests : IDisposable
{
    private static readonly string BaselinePath = Path.Combine(RepositoryPaths.Root, "tests", "Quantize.Cli.Tests", "Baselines", "output-digests.txt");

    private readonly string _folder = RealModels.ScratchFolder("digests");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Outputs_are_byte_identical_to_the_pinned_digests()
    {
        var catalog = new Dictionary<string, string>
        {
            ["mlp"] = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp()),
            ["cnn"] = ModelFiles.Write(_folder, "cnn.onnx", TestModelCatalog.SmallCnn()),
            ["attention"] = ModelFiles.Write(_folder, "attention.onnx", TestModelCatalog.AttentionBlock()),
            ["attention21"] = ModelFiles.Write(_folder, "attention21.onnx", TestModelCatalog.AttentionBlock(opset: 21)),
            ["if"] = ModelFiles.Write(_folder, "if.onnx", TestModelCatalog.ConstantAndIf()),
            ["embedding"] = ModelFiles.Write(_folder, "embedding.onnx", TestModelCatalog.Embedding()),
            ["minilm"] = RealModels.MiniLmPath,
        };
        var cases = new List<(string Name, string Model, string[] Args)>();
        foreach (var model in catalog.Keys)
        {
            foreach (var precision in new[] { "fp16", "bf16", "int8", "int4" })
            {
                cases.Add(($"{model} {precision}", model, ["-p", precision]));
            }
        }

        cases.Add(("mlp int8 per-channel", "mlp", ["-p", "int8", "--per-channel"]));
        cases.Add(("mlp fp16 convert-io", "mlp", ["-p", "fp16", "--convert-io"]));
        cases.Add(("mlp int8 exclude fc1, override fc2=fp16", "mlp", ["-p", "int8", "-x", "fc1", "--override", "fc2=fp16"]));
        cases.Add(("attention int4 asymmetric block 16", "attention", ["-p", "int4", "--asymmetric", "--block-size", "16"]));
        cases.Add(("attention opset 21 int4 qdq accuracy 0", "attention21", ["-p", "int4", "--int4-format", "qdq", "--accuracy-level", "0"]));
        cases.Add(("embedding int4 min-elements 4096", "embedding", ["-p", "int4", "--min-elements", "4096"]));

        var actual = new List<string>();
        foreach (var (name, model, args) in cases)
        {
            var output = Path.Combine(_folder, $"out-{actual.Count}.onnx");
            var run = CliProcess.Run([catalog[model], "-o", output, .. args, "--no-speed-check", "--quiet"]);
            Assert.True(run.ExitCode == 0, $"{name}: {run}");
            actual.Add($"{Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(output))).ToLowerInvariant()}  {name}");
        }

        if (Environment.GetEnvironmentVariable("QUANTIZE_UPDATE_BASELINES") == "1")
        {
            File.WriteAllLines(BaselinePath, actual);
        }

        Assert.True(File.Exists(BaselinePath), $"No baseline at {BaselinePath}; run with QUANTIZE_UPDATE_BASELINES=1 to create it.");
        Assert.Equal(File.ReadAllLines(BaselinePath), actual);
    }
}
