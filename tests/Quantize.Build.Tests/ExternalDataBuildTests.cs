using Quantize.Testing;
using Quantize.Testing.TestModels;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// A model whose weights live in an external-data file (forced here with <c>ExternalData="Always"</c> on a small
/// model; models past 2 GiB get it automatically) goes through the whole build as one artifact: the cache entry, the
/// copy in obj/, the copy beside the app, <c>dotnet clean</c>, and a rebuild from the cache; the generated class loads
/// it. Embedding it is refused with QNT0028, since a resource is one file.
/// </summary>
[Collection(PackedBuildTests.Name)]
public sealed class ExternalDataBuildTests(PackageFixture fixture)
{
    [Fact]
    public void A_model_with_external_data_is_cached_copied_cleaned_and_loaded_as_one_artifact()
    {
        var project = new ConsumerProject(fixture, "Consumer");
        project.Properties = "<RootNamespace>Consumer.Models</RootNamespace>";
        project.AddModel("mlp.onnx", TestModelCatalog.Mlp());
        project.Items = """<QuantizedModel Include="models/mlp.onnx" Precision="Fp16" ExternalData="Always" Embed="false" QualityCheck="false" />""";
        project.WriteProject();
        project.WriteProgram(MlpConsumerProgram.Statements);

        var first = project.Build();
        Assert.True(first.ExitCode == 0, first.Output);
        var output = project.Obj("quantize/Consumer.Models.Mlp.onnx");
        var listed = File.ReadAllLines(output + ".data.txt");
        var data = Assert.Single(listed);
        Assert.True(File.Exists(data), data);
        Assert.Equal(Path.GetDirectoryName(output), Path.GetDirectoryName(data));
        var bin = Path.Combine(project.Directory, "bin", "Debug", "net10.0");
        Assert.True(File.Exists(Path.Combine(bin, "Mlp.onnx")));
        Assert.True(File.Exists(Path.Combine(bin, Path.GetFileName(data))), "the data file is not beside the app");
        Assert.True(new FileInfo(data).Length > new FileInfo(output).Length, "the weights are not in the data file");

        // The generated class loads the model and its data from beside the app, and computes what ONNX Runtime does on obj/'s copy.
        var run = project.Run();
        Assert.True(run.ExitCode == 0, run.Output);
        var expected = MlpConsumerProgram.Expected(output);
        Assert.Equal(expected, MlpConsumerProgram.ParseY(run.Output));

        // dotnet clean removes every copy; the cache keeps the entry with its data, and the rebuild reuses it.
        var clean = DotnetProcess.Run(project.Directory, "clean", "--disable-build-servers", "-nodeReuse:false");
        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.False(File.Exists(data));
        Assert.False(File.Exists(Path.Combine(bin, Path.GetFileName(data))));
        var again = project.Build();
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains(again.ModelLines, l => l.Contains("reused cache entry", StringComparison.Ordinal));
        Assert.Equal(expected, MlpConsumerProgram.ParseY(project.Run().Output));

        // Embedding it is refused on the item, and nothing reaches obj/.
        File.Delete(output);
        project.Items = """<QuantizedModel Include="models/mlp.onnx" Precision="Fp16" ExternalData="Always" QualityCheck="false" />""";
        project.WriteProject();
        var embedded = project.Build();
        Assert.NotEqual(0, embedded.ExitCode);
        Assert.Contains("mlp.onnx(1,1): error QNT0028", embedded.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }
}
