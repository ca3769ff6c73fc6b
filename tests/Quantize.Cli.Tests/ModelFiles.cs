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

    /// <summary>Every file and folder under <paramref name="folder"/>, relative, sorted (a staging folder left behind shows up here).</summary>
    public static string[] Entries(string folder) =>
        [.. Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(folder, p))
            .Order(StringComparer.Ordinal)];
}
