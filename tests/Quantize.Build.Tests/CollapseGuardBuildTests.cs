using Google.Protobuf;
using Quantize.Testing;
using Quantize.Testing.TestModels;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// The collapse guard from the csproj: with validation data and no gate, a model that INT8 wrecks fails the build
/// with QNT0027 on the item and reaches neither obj/ nor the app; the <c>Exclude</c> element its message suggests,
/// pasted into the item, makes it pass; <c>CollapseGuard="false"</c> accepts it as it is.
/// </summary>
[Collection(PackedBuildTests.Name)]
public sealed class CollapseGuardBuildTests(PackageFixture fixture)
{
    [Fact]
    public void A_collapsed_model_fails_the_build_on_the_item_and_the_switch_accepts_it()
    {
        var project = new ConsumerProject(fixture, "Collapsing");
        project.AddModel("fragile.onnx", TestModelCatalog.FragileMlp(boost: 1e6f));
        var validation = Directory.CreateDirectory(Path.Combine(project.Directory, "validation")).FullName;
        var samples = TestModelCatalog.FragileMlpSamples(12);
        for (int i = 0; i < samples.Count; i++)
        {
            File.WriteAllBytes(Path.Combine(validation, $"x{i:D2}.npy"), NpyWriter.Floats(samples[i], [1, 32]));
        }

        project.WriteProgram("Console.WriteLine(Collapsing.Fragile.Model.Precision);");
        var output = project.Obj("quantize/Collapsing.Fragile.onnx");

        project.Items = """<QuantizedModel Include="models/fragile.onnx" Precision="Int8" ClassName="Fragile" ValidationData="validation" SpeedCheck="false" />""";
        project.WriteProject();
        var refused = project.Build();
        Assert.NotEqual(0, refused.ExitCode);
        var error = refused.Output.Split('\n').First(l => l.Contains("error QNT0027", StringComparison.Ordinal));
        Assert.Contains("fragile.onnx(1,1)", error, StringComparison.Ordinal);
        Assert.Contains("output 'y' has cosine", error, StringComparison.Ordinal);
        Assert.Contains("<Exclude>fc2", error, StringComparison.Ordinal);
        Assert.False(File.Exists(output), "a collapsed model must not reach obj/");

        // The suggested element, pasted into the item as the message says, keeps those layers in float and passes.
        var suggested = System.Text.RegularExpressions.Regex.Match(error, "<Exclude>[^<]*</Exclude>").Value;
        project.Items = $"""<QuantizedModel Include="models/fragile.onnx" Precision="Int8" ClassName="Fragile" ValidationData="validation" SpeedCheck="false">{suggested}</QuantizedModel>""";
        project.WriteProject();
        var excluded = project.Build();
        Assert.True(excluded.ExitCode == 0, excluded.Output);
        Assert.True(File.Exists(output));

        project.Items = """<QuantizedModel Include="models/fragile.onnx" Precision="Int8" ClassName="Fragile" ValidationData="validation" SpeedCheck="false" CollapseGuard="false" />""";
        project.WriteProject();
        var accepted = project.Build();
        Assert.True(accepted.ExitCode == 0, accepted.Output);
        Assert.True(File.Exists(output));
        Assert.True(project.Run().ExitCode == 0);
    }
}
