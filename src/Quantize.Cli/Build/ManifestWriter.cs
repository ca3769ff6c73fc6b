using System.Text.Json;
using Quantize.Core.Inspection;

namespace Quantize.Cli.Build;

/// <summary>What the manifest says about the quantized model besides its tensors.</summary>
/// <param name="SourceSha256">SHA-256 of the float model.</param>
/// <param name="OutputSha256">SHA-256 of the quantized model ("" in design-time manifests).</param>
/// <param name="BytesBefore">Float model size.</param>
/// <param name="BytesAfter">Quantized model size (0 in design-time manifests).</param>
internal sealed record ManifestFacts(string SourceSha256, string OutputSha256, long BytesBefore, long BytesAfter);

/// <summary>
/// Writes the <c>*.quantize.json</c> manifest (docs/manifest.md, schema 1) that the source generator reads.
/// Output is deterministic and written only when its bytes change, so the generator's and the compiler's
/// incrementality hold across builds.
/// </summary>
internal static class ManifestWriter
{
    /// <summary>Writes the manifest for <paramref name="model"/>; returns true when the file changed.</summary>
    public static bool Write(BuildModelRequest model, string precision, ManifestFacts facts, IReadOnlyList<TensorSignature> inputs, IReadOnlyList<TensorSignature> outputs, bool usesOrtExtensions)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 1);
            json.WriteString("className", model.ClassName);
            json.WriteString("namespace", model.Namespace);
            json.WriteString("precision", precision);
            if (model.Embed)
            {
                json.WriteString("resourceName", model.ResourceName);
            }
            else
            {
                json.WriteNull("resourceName");
            }

            json.WriteString("modelFileName", model.ModelFileName);
            json.WriteString("sourceFile", model.ItemSpec.Replace('\\', '/'));
            json.WriteString("sourceSha256", facts.SourceSha256);
            json.WriteString("outputSha256", facts.OutputSha256);
            json.WriteNumber("bytesBefore", facts.BytesBefore);
            json.WriteNumber("bytesAfter", facts.BytesAfter);
            json.WriteBoolean("usesOrtExtensions", usesOrtExtensions);
            WriteTensors(json, "inputs", inputs);
            WriteTensors(json, "outputs", outputs);
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return FileUpdate.WriteIfChanged(model.Manifest, buffer.ToArray());
    }

    private static void WriteTensors(Utf8JsonWriter json, string name, IReadOnlyList<TensorSignature> tensors)
    {
        json.WriteStartArray(name);
        foreach (var tensor in tensors)
        {
            json.WriteStartObject();
            json.WriteString("name", tensor.Name);
            json.WriteString("elementType", tensor.ElementType);
            json.WriteStartArray("shape");
            foreach (var dim in tensor.Shape ?? [])
            {
                if (dim.Value is { } size)
                {
                    json.WriteNumberValue(size);
                }
                else if (dim.Symbol is { } symbol)
                {
                    json.WriteStringValue(symbol);
                }
                else
                {
                    json.WriteNullValue();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}

/// <summary>Writes files only when their content differs, atomically (temporary file + rename).</summary>
internal static class FileUpdate
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> unless it already holds exactly that; true when written.</summary>
    public static bool WriteIfChanged(string path, byte[] content)
    {
        if (File.Exists(path) && new FileInfo(path).Length == content.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(content))
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = $"{path}.{Core.Safety.StaleStaging.OwnerTag()}.tmp";
        File.WriteAllBytes(temporary, content);
        File.Move(temporary, path, overwrite: true);
        return true;
    }

    /// <summary>Copies <paramref name="source"/> over <paramref name="destination"/> unless the destination already has the SHA-256 <paramref name="sha256"/>; true when copied.</summary>
    public static bool CopyIfChanged(string source, string destination, string sha256)
    {
        if (File.Exists(destination) && new FileInfo(destination).Length == new FileInfo(source).Length && CacheKey.HashFile(destination).Sha256 == sha256)
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        var temporary = $"{destination}.{Core.Safety.StaleStaging.OwnerTag()}.tmp";
        File.Copy(source, temporary, overwrite: true);
        File.Move(temporary, destination, overwrite: true);
        return true;
    }

    /// <summary>Creates or touches a marker file (its timestamp is what matters).</summary>
    public static void Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, CacheKey.EngineVersion + "\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
    }
}
