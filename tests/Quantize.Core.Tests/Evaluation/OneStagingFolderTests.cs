using Quantize.Core.Calibration.Data;
using Quantize.Core.Evaluation;
using Quantize.Core.Onnx;
using static Quantize.Core.Tests.Evaluation.EvaluationFixtures;

namespace Quantize.Core.Tests.Evaluation;

/// <summary>
/// A run has exactly one staging folder: whatever the stages (quantize, load, measure, mixed-precision attempts), the
/// output folder holds at most one folder at any moment, the model and its external data are written in it without
/// temporary files of their own, and only the committed model and data file remain.
/// </summary>
public sealed class OneStagingFolderTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("one-staging");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_checked_run_with_external_data_stages_once_and_commits_model_and_data()
    {
        var input = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var outputFolder = Path.Combine(_folder, "out");
        var output = Path.Combine(outputFolder, "mlp.int8.onnx");
        var snapshots = new SnapshotProgress(outputFolder);
        var job = new QuantizeJob
        {
            InputPath = input,
            OutputPath = output,
            Options = new QuantizeOptions { Precision = Precision.Int8, ExternalData = ExternalDataMode.Always },
            Quality = new QualityCheckOptions
            {
                ValidationData = new CalibrationDataOptions { Sources = [WriteSamples(_folder, "validation", 4, [1, 64])] },
                SpeedBudget = TimeSpan.Zero,
            },
        };

        Quantizer.Run(job, snapshots);

        // Measured after writing: the one staging folder holds the model and its data file, nothing else.
        var written = snapshots.Seen.Where(s => s.Files.Length > 0).ToList();
        Assert.NotEmpty(written);
        Assert.All(snapshots.Seen, s => Assert.True(s.Folders.Length <= 1, string.Join(", ", s.Folders)));
        Assert.All(written, s => Assert.StartsWith(".quantize-staging-", Assert.Single(s.Folders), StringComparison.Ordinal));
        Assert.All(written, s => Assert.Equal(["mlp.int8.onnx", "mlp.int8.onnx.data"], s.Files));
        Assert.Equal(["mlp.int8.onnx", "mlp.int8.onnx.data"], Directory.GetFileSystemEntries(outputFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_job_whose_output_is_already_staged_writes_there_in_place()
    {
        var input = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var callerStaging = Directory.CreateDirectory(Path.Combine(_folder, "caller-staging")).FullName;
        var output = Path.Combine(callerStaging, "entry.onnx");
        var snapshots = new SnapshotProgress(callerStaging);

        Quantizer.Run(new QuantizeJob { InputPath = input, OutputPath = output, OutputIsStaged = true, Options = new QuantizeOptions { Precision = Precision.Fp16 } }, snapshots);

        Assert.NotEmpty(snapshots.Seen);
        Assert.All(snapshots.Seen, s => Assert.Empty(s.Folders));
        Assert.Equal(["entry.onnx"], Directory.GetFileSystemEntries(callerStaging).Select(Path.GetFileName));
    }

    /// <summary>What the folder held at each progress report (reported synchronously, unlike <see cref="Progress{T}"/>).</summary>
    private sealed class SnapshotProgress(string folder) : IProgress<string>
    {
        public List<(string[] Folders, string[] Files)> Seen { get; } = [];

        public void Report(string value)
        {
            if (!Directory.Exists(folder))
            {
                return;
            }

            var folders = Directory.GetDirectories(folder, "*", SearchOption.AllDirectories);
            Seen.Add((
                [.. folders.Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal)],
                [.. folders.SelectMany(Directory.GetFiles).Select(Path.GetFileName).Order(StringComparer.Ordinal)!]));
        }
    }
}
