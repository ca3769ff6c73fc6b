using System.Text;
using Quantize.Cli.Commands;
using Quantize.Core.Calibration.Data;

namespace Quantize.Cli.Build;

/// <summary>
/// Writes the item's dependency file (<c>&lt;model&gt;.deps</c>, DESIGN §6): every calibration file the worker read,
/// the vocabulary, and the folders they were found in, one absolute path a line. The MSBuild task compares their
/// timestamps with the done marker on the next build, so editing, adding or removing a sample reruns that model
/// only, without the task expanding globs itself (the worker's expansion is the one that counts).
/// </summary>
internal static class CalibrationDependencies
{
    /// <summary>Writes (or, for a model without calibration, deletes) the dependency file of <paramref name="model"/>.</summary>
    public static void Write(BuildModelRequest model, CalibrationRequest? calibration)
    {
        if (model.DependencyFile.Length == 0)
        {
            return;
        }

        if (calibration is null)
        {
            File.Delete(model.DependencyFile);
            return;
        }

        var files = CalibrationFiles.Resolve(calibration.Data.Sources, calibration.Data.BaseDirectory);
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        paths.UnionWith(files);
        // A folder's timestamp changes when an entry is added or removed: that catches a new sample in a folder.
        paths.UnionWith(files.Select(f => Path.GetDirectoryName(f)!));
        foreach (var source in calibration.Data.Sources)
        {
            var full = Path.GetFullPath(source, calibration.Data.BaseDirectory ?? Directory.GetCurrentDirectory());
            if (Directory.Exists(full))
            {
                paths.Add(full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            }
        }

        if (calibration.Data.Text is { } text)
        {
            paths.Add(text.VocabularyPath);
        }

        var content = new StringBuilder();
        foreach (var path in paths)
        {
            content.Append(path).Append('\n');
        }

        FileUpdate.WriteIfChanged(model.DependencyFile, new UTF8Encoding(false).GetBytes(content.ToString()));
    }
}
