using Quantize.Core.Diagnostics;

namespace Quantize.Core;

/// <summary>
/// The one staging folder of a run: a private folder beside the output where the model (and its external data) is
/// written, loaded and measured before it may replace the output. Same volume, so moving it into place is a rename;
/// disposing deletes whatever was not moved, so a failed write or check leaves the output path exactly as it was.
/// Everything inside it writes in place (no further temporary files): the CLI's output, the engine's public
/// overloads and the build cache's entries (which commits by its own publish step) all stage here, once.
/// </summary>
public sealed class StagedOutput : IDisposable
{
    /// <summary>The prefix of the folder's name (<see cref="Safety.StaleStaging"/> sweeps those a dead process left).</summary>
    internal const string Prefix = ".quantize-staging-";

    private readonly string _folder;
    private readonly string _outputPath;

    private StagedOutput(string outputPath)
    {
        _outputPath = Path.GetFullPath(outputPath);
        var parent = Path.GetDirectoryName(_outputPath)!;
        Directory.CreateDirectory(parent);
        Safety.StaleStaging.Sweep(parent);
        _folder = Path.Combine(parent, Safety.StaleStaging.NewName(Prefix));
        Directory.CreateDirectory(_folder);
        // Under the output's own name: the external-data file the model records (<name>.data) keeps its name in place.
        ModelPath = Path.Combine(_folder, Path.GetFileName(_outputPath));
    }

    /// <summary>Where to write the staged model (its external data, if any, goes beside it as <c>.data</c>).</summary>
    public string ModelPath { get; }

    /// <summary>A staging folder for <paramref name="outputPath"/>; a folder that cannot be made is QNT0008 naming the output.</summary>
    public static StagedOutput Beside(string outputPath)
    {
        try
        {
            return new StagedOutput(outputPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw WriteFailed(outputPath, ex);
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> on a staged path for <paramref name="outputPath"/> and moves its result into place
    /// when it returns; when it throws, nothing reaches the output.
    /// </summary>
    public static T Produce<T>(string outputPath, Func<string, T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var staged = Beside(outputPath);
        var result = write(staged.ModelPath);
        staged.MoveIntoPlace();
        return result;
    }

    /// <summary>Moves the staged model (and its external data) over the output.</summary>
    public void MoveIntoPlace()
    {
        try
        {
            Onnx.ModelArtifact.Move(ModelPath, _outputPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw WriteFailed(_outputPath, ex);
        }
    }

    /// <summary>Deletes the staging folder and anything left in it.</summary>
    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static QuantizeException WriteFailed(string outputPath, Exception ex) =>
        new(ErrorCodes.OutputWriteFailed, outputPath, $"Cannot write '{outputPath}': {ex.Message}", ex);
}
