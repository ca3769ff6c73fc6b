using System.Text.Json;
using Quantize.Core.Inspection;
using Quantize.Shared;

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
            json.WriteNumber(ManifestFields.SchemaVersion, ManifestFields.CurrentSchema);
            json.WriteString(ManifestFields.ClassName, model.ClassName);
            json.WriteString(ManifestFields.Namespace, model.Namespace);
            json.WriteString(ManifestFields.Precision, precision);
            if (model.Embed)
            {
                json.WriteString(ManifestFields.ResourceName, model.ResourceName);
            }
            else
            {
                json.WriteNull(ManifestFields.ResourceName);
            }

            json.WriteString(ManifestFields.ModelFileName, model.ModelFileName);
            json.WriteString(ManifestFields.SourceFile, model.ItemSpec.Replace('\\', '/'));
            json.WriteString(ManifestFields.SourceSha256, facts.SourceSha256);
            json.WriteString(ManifestFields.OutputSha256, facts.OutputSha256);
            json.WriteNumber(ManifestFields.BytesBefore, facts.BytesBefore);
            json.WriteNumber(ManifestFields.BytesAfter, facts.BytesAfter);
            json.WriteBoolean(ManifestFields.UsesOrtExtensions, usesOrtExtensions);
            WriteTensors(json, ManifestFields.Inputs, inputs);
            WriteTensors(json, ManifestFields.Outputs, outputs);
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
            json.WriteString(ManifestFields.Name, tensor.Name);
            json.WriteString(ManifestFields.ElementType, tensor.ElementType);
            json.WriteStartArray(ManifestFields.Shape);
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
