namespace Quantize.Core.Onnx;

/// <summary>
/// A written model is its file plus the external-data files it names (<c>&lt;model&gt;.data</c> when the writer put
/// weights there). Every step that stages, publishes or copies a model moves them as one, so no output, cache entry
/// or copy ever has a model without its weights. A data file keeps its name wherever it goes, because the model
/// records that name: ONNX Runtime looks for it beside the model.
/// </summary>
public static class ModelArtifact
{
    /// <summary>The external-data files of the model at <paramref name="modelPath"/>, found by a streaming scan and vetted by the path policy.</summary>
    public static IReadOnlyList<string> DataFiles(string modelPath) => File.Exists(modelPath) ? ExternalData.Vet(modelPath) : [];

    /// <summary>
    /// Moves the model at <paramref name="source"/> to <paramref name="destination"/>, its data files first (the model is
    /// what readers look for, so it arrives last), replacing what is there.
    /// </summary>
    public static void Move(string source, string destination)
    {
        foreach (var (from, to) in DataFilesAt(source, destination))
        {
            File.Move(from, to, overwrite: true);
        }

        File.Move(source, destination, overwrite: true);
    }

    /// <summary>The paths the data files of <paramref name="source"/> have once the model is at <paramref name="destination"/>.</summary>
    public static IReadOnlyList<(string From, string To)> DataFilesAt(string source, string destination)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(destination))!;
        return [.. DataFiles(source).Select(data => (data, Path.Combine(folder, Path.GetFileName(data))))];
    }
}
