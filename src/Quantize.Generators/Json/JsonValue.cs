using System.Collections.Generic;

namespace Quantize.Generators.Json;

/// <summary>The kinds of JSON value.</summary>
internal enum JsonKind
{
    Null,
    False,
    True,
    Number,
    String,
    Array,
    Object,
}

/// <summary>
/// A parsed JSON value. Numbers keep their source text so integers of any size are read exactly;
/// objects keep their properties in file order. <see cref="Line"/> and <see cref="Column"/> (1-based)
/// point at the value so diagnostics can name the spot.
/// </summary>
internal sealed class JsonValue
{
    private JsonValue(JsonKind kind, string? text, List<JsonValue>? items, List<KeyValuePair<string, JsonValue>>? properties, int line, int column)
    {
        Kind = kind;
        Text = text;
        Items = items;
        Properties = properties;
        Line = line;
        Column = column;
    }

    public JsonKind Kind { get; }

    /// <summary>The string's value, or the number's source text.</summary>
    public string? Text { get; }

    public List<JsonValue>? Items { get; }

    public List<KeyValuePair<string, JsonValue>>? Properties { get; }

    public int Line { get; }

    public int Column { get; }

    public static JsonValue Literal(JsonKind kind, int line, int column) => new(kind, null, null, null, line, column);

    public static JsonValue Number(string text, int line, int column) => new(JsonKind.Number, text, null, null, line, column);

    public static JsonValue String(string text, int line, int column) => new(JsonKind.String, text, null, null, line, column);

    public static JsonValue Array(List<JsonValue> items, int line, int column) => new(JsonKind.Array, null, items, null, line, column);

    public static JsonValue Object(List<KeyValuePair<string, JsonValue>> properties, int line, int column) => new(JsonKind.Object, null, null, properties, line, column);

    /// <summary>The property's value, or null when absent. Duplicate keys are rejected by the reader.</summary>
    public JsonValue? Property(string name)
    {
        if (Properties is null)
        {
            return null;
        }

        foreach (var property in Properties)
        {
            if (property.Key == name)
            {
                return property.Value;
            }
        }

        return null;
    }
}
