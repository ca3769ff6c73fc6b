using System.Text.Json;
using Quantize.Core.Inspection;

namespace Quantize.Cli.Output;

/// <summary>Writes a <see cref="ModelInspection"/> as indented camelCase JSON.</summary>
internal static class InspectionJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    /// <summary>Writes <paramref name="inspection"/> followed by a newline.</summary>
    public static void Write(TextWriter writer, ModelInspection inspection)
    {
        writer.WriteLine(JsonSerializer.Serialize(inspection, Options));
    }
}
