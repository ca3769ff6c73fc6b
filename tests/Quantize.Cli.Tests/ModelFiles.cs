using Google.Protobuf;
using Quantize.Core.Onnx;

namespace Quantize.Cli.Tests;

/// <summary>Writes models to disk for the CLI and checks what a run left in a folder.</summary>
public static class ModelFiles
{
    public static string Write(string folder, string fileName, ModelProto model)
    {
        var path = Path.Combine(folder, fileName);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    /// <summary>
    /// The test catalog's MLP with fc1.weight (64×128 floats) moved to an external-data file at <paramref name="location"/>,
    /// read from offset 0 for <paramref name="length"/> bytes (null: no length entry, the rest of the file).
    /// </summary>
    public static ModelProto MlpWithExternalWeight(string location, long? length = 64 * 128 * 4)
    {
        var model = Quantize.Testing.TestModels.TestModelCatalog.Mlp();
        var weight = model.Graph.Initializer.Single(i => i.Name == "fc1.weight");
        weight.ClearRawData();
        weight.FloatData.Clear();
        weight.DataLocation = TensorProto.Types.DataLocation.External;
        weight.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        weight.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "0" });
        if (length is long bytes)
        {
            weight.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        return model;
    }

    /// <summary>Every file and folder under <paramref name="folder"/>, relative, sorted (a staging folder left behind shows up here).</summary>
    public static string[] Entries(string folder) =>
        [.. Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(folder, p))
            .Order(StringComparer.Ordinal)];
}
