namespace Quantize.Core;

/// <summary>
/// A private folder beside an output file where a result is written and checked before it may replace the
/// output: same volume, so moving it into place is a rename, and disposing deletes whatever was not moved.
/// A check that fails therefore leaves the output path exactly as it was.
/// </summary>
internal sealed class StagedOutput : IDisposable
{
    private readonly string _folder;
    private readonly string _outputPath;

    public StagedOutput(string outputPath)
    {
        _outputPath = Path.GetFullPath(outputPath);
        var parent = Path.GetDirectoryName(_outputPath)!;
        Safety.StaleStaging.Sweep(parent);
        _folder = Path.Combine(parent, Safety.StaleStaging.NewName(".quantize-check-"));
        Directory.CreateDirectory(_folder);
        ModelPath = Path.Combine(_folder, Path.GetFileName(_outputPath));
    }

    /// <summary>Where to write the staged model (its external data, if any, goes beside it as <c>.data</c>).</summary>
    public string ModelPath { get; }

    /// <summary>Moves the staged model (and its external data) over the output.</summary>
    public void MoveIntoPlace() => Onnx.ModelArtifact.Move(ModelPath, _outputPath);

    /// <summary>Deletes the staging folder and anything left in it.</summary>
    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
