using System.Text.Json;
using Google.Protobuf;
using Quantize.Testing;
using Quantize.Testing.TestModels;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// The repository's own build/ files run by real MSBuild without packing (through the override points
/// QuantizeBuildTasksAssembly and QuantizeWorkerPath): what the IDE learns (the fast up-to-date check's inputs, the
/// Build Action), and a missing worker reported as QNT0026.
/// </summary>
public sealed class BuildFilesTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "quantize-buildfiles-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public void Models_and_their_calibration_validation_and_vocab_files_are_up_to_date_check_inputs()
    {
        foreach (var file in new[] { "models/a.onnx", "cal/x.png", "cal/y.png", "cal/notes.txt", "val/sub/v.npy", "vocab.txt" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_folder, file))!);
            File.WriteAllText(Path.Combine(_folder, file), "");
        }

        WriteProject("""<QuantizedModel Include="models/a.onnx" Precision="Int8" CalibrationData="cal/*.png" ValidationData="val" Vocab="vocab.txt" />""", "");

        var inputs = Items("-t:_QuantizeUpToDateCheckInputs", "-getItem:UpToDateCheckInput", "UpToDateCheckInput");
        Assert.Equal(["cal/x.png", "cal/y.png", "models/a.onnx", "val/sub/v.npy", "vocab.txt"], inputs.Select(i => i.Replace('\\', '/')).Order(StringComparer.Ordinal));
        Assert.Contains("QuantizedModel", Items("-getItem:AvailableItemName", "", "AvailableItemName"));
    }

    [Fact]
    public void A_missing_worker_fails_the_build_with_its_own_code()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "models"));
        File.WriteAllBytes(Path.Combine(_folder, "models", "mlp.onnx"), TestModelCatalog.Mlp().ToByteArray());
        File.WriteAllText(Path.Combine(_folder, "Program.cs"), "System.Console.WriteLine();");
        // By path: loading the type here would need MSBuild's assemblies, which only MSBuild provides.
        var tasks = Path.Combine(AppContext.BaseDirectory, "Quantize.Build.Tasks.dll");
        Assert.True(File.Exists(tasks), tasks);
        var worker = Path.Combine(_folder, "no-worker", "Quantize.Cli.dll");
        WriteProject("""<QuantizedModel Include="models/mlp.onnx" Precision="Int8" />""",
            $"<OutputType>Exe</OutputType><QuantizeBuildTasksAssembly>{tasks}</QuantizeBuildTasksAssembly><QuantizeWorkerPath>{worker}</QuantizeWorkerPath>");

        var build = DotnetProcess.Run(_folder, "build", "--disable-build-servers", "-nodeReuse:false");

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("error QNT0026", build.Output, StringComparison.Ordinal);
        Assert.Contains(worker, build.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("QNT0013", build.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A project importing the repository's build/ files directly, isolated from the repository's own props.</summary>
    private void WriteProject(string items, string properties)
    {
        var build = Path.Combine(RepositoryPaths.Root, "build");
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(_folder, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(_folder, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(_folder, "BuildFiles.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <Import Project="{build}/Quantize.Build.props" />
              <PropertyGroup><TargetFramework>net10.0</TargetFramework>{properties}</PropertyGroup>
              <ItemGroup>
                {items}
              </ItemGroup>
              <Import Project="{build}/Quantize.Build.targets" />
            </Project>
            """);
    }

    private List<string> Items(string first, string second, string item)
    {
        var run = DotnetProcess.Run(_folder, [.. new[] { "msbuild", first, second }.Where(a => a.Length > 0)]);
        Assert.True(run.ExitCode == 0, run.Output);
        using var json = JsonDocument.Parse(run.Output[run.Output.IndexOf('{', StringComparison.Ordinal)..]);
        return [.. json.RootElement.GetProperty("Items").GetProperty(item).EnumerateArray().Select(e => e.GetProperty("Identity").GetString()!)];
    }
}
