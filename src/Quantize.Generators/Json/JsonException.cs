using System;

namespace Quantize.Generators.Json;

/// <summary>The manifest text is not valid JSON, or not the JSON the schema asks for, at a known position.</summary>
internal sealed class JsonException : Exception
{
    public JsonException(string message, int line, int column)
        : base(message)
    {
        Line = line;
        Column = column;
    }

    public JsonException()
    {
    }

    public JsonException(string message)
        : base(message)
    {
    }

    public JsonException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>1-based line, 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>1-based column, 0 when unknown.</summary>
    public int Column { get; }
}
