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
