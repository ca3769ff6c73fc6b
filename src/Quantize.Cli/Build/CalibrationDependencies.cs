using System.Text;
using Quantize.Core.Calibration.Data;

namespace Quantize.Cli.Build;

/// <summary>
/// Writes the item's dependency file (<c>&lt;model&gt;.deps</c>, docs/build-request.md): every calibration and validation file the worker read,
/// the vocabulary, and the folders they were found in, one absolute path a line. The MSBuild task compares their
/// timestamps with the done marker on the next build, so editing, adding or removing a sample reruns that model
/// only, without the task expanding globs itself (the worker's expansion is the one that counts).
/// </summary>
internal static class CalibrationDependencies
{
    /// <summary>Writes (or, for a model without data files, deletes) the dependency file of <paramref name="model"/>.</summary>
    public static void Write(BuildModelRequest model, params CalibrationDataOptions?[] dataSets)
    {
        if (model.DependencyFile.Length == 0)
        {
            return;
        }

        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var data in dataSets.OfType<CalibrationDataOptions>())
        {
            AddDataFiles(paths, data);
        }

        if (paths.Count == 0)
        {
            File.Delete(model.DependencyFile);
            return;
        }

        var content = new StringBuilder();
        foreach (var path in paths)
        {
            content.Append(path).Append('\n');
        }

        FileUpdate.WriteIfChanged(model.DependencyFile, new UTF8Encoding(false).GetBytes(content.ToString()));
    }

    private static void AddDataFiles(SortedSet<string> paths, CalibrationDataOptions data)
    {
        var files = CalibrationFiles.Resolve(data.Sources, data.BaseDirectory);
        paths.UnionWith(files);
        // A folder's timestamp changes when an entry is added or removed: that catches a new sample in a folder.
        paths.UnionWith(files.Select(f => Path.GetDirectoryName(f)!));
        foreach (var source in data.Sources)
        {
            var full = Path.GetFullPath(source, data.BaseDirectory ?? Directory.GetCurrentDirectory());
            if (Directory.Exists(full))
            {
                paths.Add(full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            }
        }

        if (data.Text is { } text)
        {
            paths.Add(text.VocabularyPath);
        }
    }
}
