using Microsoft.CodeAnalysis;
using Xunit;

namespace Quantize.Generators.Tests;

/// <summary>
/// The generated code for representative manifests, compared with checked-in baselines (Baselines/*.g.cs).
/// A change to the generated API shows up as a reviewed diff of these files. To accept a change, run the
/// tests with QUANTIZE_UPDATE_BASELINES=1 and review the diff.
/// </summary>
public sealed class GeneratedCodeBaselineTests
{
    private static readonly string[] Names = ["MiniLm", "Fp16Encoder", "Tokenizer", "ResNet18", "TinyLlama"];

    public static TheoryData<string> Manifests => new(Names);

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Generated_code_matches_the_baseline(string name)
    {
        var (result, _, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compilation(), GeneratorHarness.ManifestFile(name));

        Assert.Empty(diagnostics);
        var generated = Assert.Single(Assert.Single(result.Results).GeneratedSources);
        var text = generated.SourceText.ToString();
        var baselinePath = TestFiles.Baseline(name);
        if (Environment.GetEnvironmentVariable("QUANTIZE_UPDATE_BASELINES") == "1")
        {
            File.WriteAllText(baselinePath, text);
        }

        Assert.True(File.Exists(baselinePath), $"No baseline at {baselinePath}; run with QUANTIZE_UPDATE_BASELINES=1 to create it.");
        Assert.Equal(File.ReadAllText(baselinePath), text);
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Generated_code_compiles_without_warnings_under_nullable_with_xml_docs_checked(string name)
    {
        var (_, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compilation(), GeneratorHarness.ManifestFile(name));

        Assert.Empty(diagnostics);
        Assert.Equal(2, output.SyntaxTrees.Count());
        Assert.Empty(GeneratorHarness.WarningsAndErrors(output));
    }

    [Fact]
    public void All_the_manifests_together_generate_one_class_each_that_compile_together()
    {
        var manifests = Names.Select(GeneratorHarness.ManifestFile).ToArray();
        var (result, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compilation(), manifests);

        Assert.Empty(diagnostics);
        Assert.Equal(
            ["MyApp.Models.MiniLm.g.cs", "Samples.Images.ResNet18.g.cs", "Samples.Text.TinyLlama.g.cs", "Samples.Vision.Fp16Encoder.g.cs", "Tokenizer.g.cs"],
            result.Results[0].GeneratedSources.Select(static s => s.HintName).Order(StringComparer.Ordinal));
        Assert.Empty(GeneratorHarness.WarningsAndErrors(output));
    }

    [Fact]
    public void Only_a_decoder_following_the_kv_cache_convention_gets_create_cache()
    {
        var (_, output, _) = GeneratorHarness.Run(GeneratorHarness.Compilation(), [.. Names.Select(GeneratorHarness.ManifestFile)]);

        var createCache = output.GetTypeByMetadataName("Samples.Text.TinyLlama")!.GetMembers("CreateCache").OfType<IMethodSymbol>().Single();
        Assert.Equal("Quantize.Runtime.DecoderCache", createCache.ReturnType.ToDisplayString());
        Assert.Empty(output.GetTypeByMetadataName("MyApp.Models.MiniLm")!.GetMembers("CreateCache"));
    }

    [Fact]
    public void Generated_api_uses_the_models_names_and_types()
    {
        // Reads the compiled API through Roslyn's symbols: what a user sees in IntelliSense.
        var (_, output, _) = GeneratorHarness.Run(GeneratorHarness.Compilation(), GeneratorHarness.ManifestFile("MiniLm"));
        var type = output.GetTypeByMetadataName("MyApp.Models.MiniLm")!;
        Assert.True(type.IsSealed);
        Assert.Contains(type.AllInterfaces, i => i.ToDisplayString() == "System.IDisposable");

        var runs = type.GetMembers("Run").OfType<IMethodSymbol>().ToList();
        var simple = runs.Single(m => m.ReturnType.Name == "MiniLmResult");
        Assert.Equal(["inputIds", "attentionMask", "tokenTypeIds", "batchSize", "sequenceLength"], simple.Parameters.Select(p => p.Name));
        Assert.Equal("System.ReadOnlyMemory<long>", simple.Parameters[0].Type.ToDisplayString());
        Assert.Equal("int", simple.Parameters[3].Type.ToDisplayString());

        var into = runs.Single(m => m.ReturnsVoid);
        Assert.Equal(["inputIds", "attentionMask", "tokenTypeIds", "lastHiddenState", "output924", "batchSize", "sequenceLength"], into.Parameters.Select(p => p.Name));
        Assert.Equal("System.Memory<float>", into.Parameters[3].Type.ToDisplayString());

        var result = output.GetTypeByMetadataName("MyApp.Models.MiniLmResult")!;
        Assert.Equal("System.ReadOnlySpan<float>", ((IPropertySymbol)result.GetMembers("LastHiddenState").Single()).Type.ToDisplayString());
        Assert.Equal("System.ReadOnlySpan<long>", ((IPropertySymbol)result.GetMembers("Output924Shape").Single()).Type.ToDisplayString());
        Assert.Equal("System.Numerics.Tensors.ReadOnlyTensorSpan<float>", ((IPropertySymbol)result.GetMembers("LastHiddenStateTensor").Single()).Type.ToDisplayString());
        Assert.Contains("<c>last_hidden_state</c>: float [batch_size, sequence_length, 384]", result.GetMembers("LastHiddenState").Single().GetDocumentationCommentXml(), StringComparison.Ordinal);
    }

    [Fact]
    public void Awkward_tensor_names_become_valid_unique_identifiers()
    {
        var (_, output, _) = GeneratorHarness.Run(GeneratorHarness.Compilation(), GeneratorHarness.ManifestFile("Tokenizer"));
        var type = output.GetTypeByMetadataName("Tokenizer")!;
        var run = type.GetMembers("Run").OfType<IMethodSymbol>().Single();
        // "class" is escaped, "2nd-input" gets a role prefix, the unnamed dim of "text" is named after its tensor and axis.
        Assert.Equal(["text", "class", "input2ndInput", "textDim0"], run.Parameters.Select(p => p.Name));
        Assert.Equal("System.ReadOnlyMemory<string>", run.Parameters[0].Type.ToDisplayString());

        var result = output.GetTypeByMetadataName("TokenizerResult")!;
        // An output named "Dispose" must not clash with Dispose(); "tokens_shape" must not clash with Tokens' shape property.
        var properties = result.GetMembers().OfType<IPropertySymbol>().Select(p => p.Name).Order(StringComparer.Ordinal);
        // Numeric outputs also get a *Tensor property; the string output "tokens" has none.
        Assert.Equal(["Dispose2", "Dispose2Shape", "Dispose2Tensor", "Tokens", "TokensShape", "TokensShape2", "TokensShape2Shape", "TokensShape2Tensor"], properties);
        Assert.Equal("System.Collections.Generic.IReadOnlyList<string>", ((IPropertySymbol)result.GetMembers("Tokens").Single()).Type.ToDisplayString());

        // String outputs cannot go into caller buffers, so there is no buffer overload and no Prepare.
        Assert.Empty(type.GetMembers("Prepare"));
    }

    [Fact]
    public void Output_only_dimensions_become_parameters_only_where_outputs_are_preallocated()
    {
        var (_, output, _) = GeneratorHarness.Run(GeneratorHarness.Compilation(), GeneratorHarness.ManifestFile("Fp16Encoder"));
        var type = output.GetTypeByMetadataName("Samples.Vision.Fp16Encoder")!;
        var runs = type.GetMembers("Run").OfType<IMethodSymbol>().ToList();
        Assert.Equal(["features", "batch", "featuresDim1"], runs.Single(m => !m.ReturnsVoid).Parameters.Select(p => p.Name));
        Assert.Equal(["features", "embedding", "scores", "batch", "featuresDim1", "classes"], runs.Single(m => m.ReturnsVoid).Parameters.Select(p => p.Name));
        Assert.Equal("System.ReadOnlyMemory<System.Half>", runs[0].Parameters[0].Type.ToDisplayString());
        Assert.Equal("System.Memory<Microsoft.ML.OnnxRuntime.BFloat16>", runs.Single(m => m.ReturnsVoid).Parameters[2].Type.ToDisplayString());
    }
}
