using System.Text.Json;
using Quantize.Testing;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// What the IDE learns from the repository's own build/ files, evaluated by real MSBuild without packing: the
/// fast up-to-date check's inputs (models and their data files, globs and folders expanded) and the Build Action.
/// </summary>
public sealed class IdeItemsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "quantize-ide-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public void Models_and_their_calibration_validation_and_vocab_files_are_up_to_date_check_inputs()
    {
        foreach (var file in new[] { "models/a.onnx", "cal/x.png", "cal/y.png", "cal/notes.txt", "val/sub/v.npy", "vocab.txt" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_folder, file))!);
            File.WriteAllText(Path.Combine(_folder, file), "");
        }

        var build = Path.Combine(RepositoryPaths.Root, "build");
        File.WriteAllText(Path.Combine(_folder, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(_folder, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(_folder, "Ide.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <Import Project="{build}/Quantize.Build.props" />
              <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <ItemGroup>
                <QuantizedModel Include="models/a.onnx" Precision="Int8" CalibrationData="cal/*.png" ValidationData="val" Vocab="vocab.txt" />
              </ItemGroup>
              <Import Project="{build}/Quantize.Build.targets" />
            </Project>
            """);

        var inputs = Items("-t:_QuantizeUpToDateCheckInputs", "-getItem:UpToDateCheckInput", "UpToDateCheckInput");
        Assert.Equal(["cal/x.png", "cal/y.png", "models/a.onnx", "val/sub/v.npy", "vocab.txt"], inputs.Select(i => i.Replace('\\', '/')).Order(StringComparer.Ordinal));
        Assert.Contains("QuantizedModel", Items("-getItem:AvailableItemName", "", "AvailableItemName"));
    }

    private List<string> Items(string first, string second, string item)
    {
        var run = DotnetProcess.Run(_folder, [.. new[] { "msbuild", first, second }.Where(a => a.Length > 0)]);
        Assert.True(run.ExitCode == 0, run.Output);
        using var json = JsonDocument.Parse(run.Output[run.Output.IndexOf('{', StringComparison.Ordinal)..]);
        return [.. json.RootElement.GetProperty("Items").GetProperty(item).EnumerateArray().Select(e => e.GetProperty("Identity").GetString()!)];
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
}
