using Google.Protobuf;
using Quantize.Testing.TestModels;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// The repository's own build/ files run by real MSBuild without packing (<see cref="BuildFilesProject"/>): what the
/// IDE learns (the fast up-to-date check's inputs, the Build Action), and a missing worker reported as QNT0026.
/// </summary>
public sealed class BuildFilesTests : IDisposable
{
    private readonly BuildFilesProject _project = new();

    [Fact]
    public void Models_and_their_calibration_validation_and_vocab_files_are_up_to_date_check_inputs()
    {
        foreach (var file in new[] { "models/a.onnx", "cal/x.png", "cal/y.png", "cal/notes.txt", "val/sub/v.npy", "vocab.txt" })
        {
            _project.WriteFile(file, []);
        }

        _project.WriteProject("""<QuantizedModel Include="models/a.onnx" Precision="Int8" CalibrationData="cal/*.png" ValidationData="val" Vocab="vocab.txt" />""");

        var inputs = _project.Items("UpToDateCheckInput", "-t:_QuantizeUpToDateCheckInputs").Select(i => i["Identity"]);
        Assert.Equal(["cal/x.png", "cal/y.png", "models/a.onnx", "val/sub/v.npy", "vocab.txt"], inputs.Select(i => i.Replace('\\', '/')).Order(StringComparer.Ordinal));
        Assert.Contains("QuantizedModel", _project.Items("AvailableItemName").Select(i => i["Identity"]));
    }

    [Fact]
    public void A_missing_worker_fails_the_build_with_its_own_code()
    {
        _project.WriteFile("models/mlp.onnx", TestModelCatalog.Mlp().ToByteArray());
        _project.WriteFile("Program.cs", "System.Console.WriteLine();"u8.ToArray());
        var worker = Path.Combine(_project.Folder, "no-worker", "Quantize.Cli.dll");
        _project.WriteProject("""<QuantizedModel Include="models/mlp.onnx" Precision="Int8" />""",
            $"<OutputType>Exe</OutputType><QuantizeBuildTasksAssembly>{BuildFilesProject.TasksAssembly}</QuantizeBuildTasksAssembly><QuantizeWorkerPath>{worker}</QuantizeWorkerPath>");

        var build = DotnetProcess.Run(_project.Folder, "build", "--disable-build-servers", "-nodeReuse:false");

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("error QNT0026", build.Output, StringComparison.Ordinal);
        Assert.Contains(worker, build.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("QNT0013", build.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _project.Dispose();
}
