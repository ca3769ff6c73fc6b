using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Steps = Quantize.Generators.ModelWrapperGenerator.Steps;

namespace Quantize.Generators.Tests;

/// <summary>The pipeline caches: an unrelated edit reuses every step's output; a manifest edit regenerates.</summary>
public sealed class IncrementalTests
{
    private static readonly string MiniLmPath = TestFiles.Manifest("MiniLm");

    [Fact]
    public void Second_run_after_an_unrelated_source_edit_is_served_from_the_cache()
    {
        var compilation = GeneratorHarness.Compilation();
        var manifest = GeneratorHarness.ManifestFile("MiniLm");
        var driver = GeneratorHarness.Driver(manifest, GeneratorHarness.ManifestFile("ResNet18")).RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace App { internal static class Unrelated { } }", GeneratorHarness.ParseOptions));
        var second = driver.RunGenerators(edited).GetRunResult().Results[0];

        AssertAllOutputs(second, Steps.ParsedManifests, IncrementalStepRunReason.Cached);
        AssertAllOutputs(second, Steps.AllManifests, IncrementalStepRunReason.Cached);
        // The compilation changed, so the runtime check reran, but its answer did not change.
        AssertAllOutputs(second, Steps.RuntimeReferenced, IncrementalStepRunReason.Unchanged);
        Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.Equal(2, second.GeneratedSources.Length);
    }

    [Fact]
    public void A_manifest_edit_reparses_only_that_manifest_and_regenerates_its_wrapper()
    {
        var compilation = GeneratorHarness.Compilation();
        var miniLm = GeneratorHarness.ManifestFile("MiniLm");
        var driver = GeneratorHarness.Driver(miniLm, GeneratorHarness.ManifestFile("ResNet18")).RunGenerators(compilation);
        var before = driver.GetRunResult().Results[0].GeneratedSources.Single(s => s.HintName == "MyApp.Models.MiniLm.g.cs").SourceText.ToString();

        var changed = new InMemoryAdditionalText(MiniLmPath, File.ReadAllText(MiniLmPath).Replace("\"Int8\"", "\"Int4\"", StringComparison.Ordinal));
        var second = driver.ReplaceAdditionalText(miniLm, changed).RunGenerators(compilation).GetRunResult().Results[0];

        var parsed = second.TrackedSteps[Steps.ParsedManifests].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(1, parsed.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(1, parsed.Count(r => r == IncrementalStepRunReason.Cached));
        AssertAllOutputs(second, Steps.AllManifests, IncrementalStepRunReason.Modified);

        var after = second.GeneratedSources.Single(s => s.HintName == "MyApp.Models.MiniLm.g.cs").SourceText.ToString();
        Assert.NotEqual(before, after);
        Assert.Contains("quantized to Int4", after, StringComparison.Ordinal);
    }

    [Fact]
    public void Rewriting_a_manifest_with_identical_content_changes_nothing_downstream()
    {
        // The build worker rewrites manifests only when they change, but an IDE may hand the generator a new
        // AdditionalText for the same content: parsing reruns, and value equality stops it there.
        var compilation = GeneratorHarness.Compilation();
        var miniLm = GeneratorHarness.ManifestFile("MiniLm");
        var driver = GeneratorHarness.Driver(miniLm).RunGenerators(compilation);

        var same = new InMemoryAdditionalText(MiniLmPath, File.ReadAllText(MiniLmPath));
        var second = driver.ReplaceAdditionalText(miniLm, same).RunGenerators(compilation).GetRunResult().Results[0];

        AssertAllOutputs(second, Steps.ParsedManifests, IncrementalStepRunReason.Unchanged);
        AssertAllOutputs(second, Steps.AllManifests, IncrementalStepRunReason.Cached);
    }

    private static void AssertAllOutputs(GeneratorRunResult result, string step, IncrementalStepRunReason expected)
    {
        var outputs = result.TrackedSteps[step].SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Equal(expected, o.Reason));
    }
}
