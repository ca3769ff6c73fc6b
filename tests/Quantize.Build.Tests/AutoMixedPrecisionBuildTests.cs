using Quantize.Testing;
using Quantize.Testing.Packaging;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// The issue's MiniLM case through a real build: INT8 with MinCosine=0.995 and AutoMixedPrecision=true passes by
/// keeping the most sensitive nodes in float, the report lists them, a rebuild does no work, and a gate no mix
/// within the cap can meet fails the build with the best mix found.
/// </summary>
[Collection(PackedBuildTests.Name)]
public sealed class AutoMixedPrecisionBuildTests(PackageFixture fixture)
{
    [Fact]
    public void MiniLm_int8_meets_min_cosine_by_keeping_nodes_in_float_and_an_unreachable_gate_fails_with_the_best_mix()
    {
        var project = new ConsumerProject(fixture, "Mixed");
        File.Copy(RealModels.MiniLmPath, Path.Combine(project.Directory, "models", "minilm.onnx"));
        File.Copy(RealModels.MiniLmVocabPath, Path.Combine(project.Directory, "models", "vocab.txt"));
        // Real sentences, one a line; 16 keep each trial quantization's evaluation cheap.
        File.WriteAllLines(Path.Combine(project.Directory, "validation.txt"), Sentences.All.Take(16));
        project.WriteProgram("""Console.WriteLine("ok");""");
        const string Common = """Precision="Int8" ValidationData="validation.txt" Vocab="models/vocab.txt" SpeedCheck="false" AutoMixedPrecision="true" """;

        project.Items = $"""<QuantizedModel Include="models/minilm.onnx" {Common} MinCosine="0.995" />""";
        project.WriteProject();
        var passed = project.Build();
        Assert.True(passed.ExitCode == 0, passed.Output);
        var line = Assert.Single(passed.ModelLines);
        Assert.Matches(@"cosine 0\.99[5-9]\d*, speed not checked, \d+ nodes? kept in higher precision", line);

        // The report names every node kept in float and gives the Exclude value that pins the choice.
        var markdown = File.ReadAllText(project.Obj("quantize/Mixed.Minilm.quantize-report.md"));
        var html = File.ReadAllText(project.Obj("quantize/Mixed.Minilm.quantize-report.html"));
        var exclude = System.Text.RegularExpressions.Regex.Match(markdown, "<Exclude>([^<]+)</Exclude>").Groups[1].Value;
        Assert.NotEmpty(exclude);
        foreach (var node in exclude.Split(';'))
        {
            Assert.Contains(node, html, StringComparison.Ordinal);
        }

        // Nothing changed: no worker, so no search.
        var noop = project.Build();
        Assert.True(noop.ExitCode == 0, noop.Output);
        Assert.Equal(0, noop.WorkerRuns);

        // Unreachable within two fallbacks: QNT0019 on the model, with the best mix and its numbers.
        project.Items = $"""<QuantizedModel Include="models/minilm.onnx" {Common} MinCosine="0.9999" MaxFallbacks="2" />""";
        project.WriteProject();
        var failed = project.Build();
        Assert.NotEqual(0, failed.ExitCode);
        var error = failed.Output.Split('\n').First(l => l.Contains("error QNT0019", StringComparison.Ordinal));
        Assert.Contains("minilm.onnx", error, StringComparison.Ordinal);
        Assert.Contains("best mix", error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("MinCosine", error, StringComparison.Ordinal);
    }
}
