using System;
using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;
using Quantize.Generators.Json;
using Quantize.Shared;

namespace Quantize.Generators.Manifest;

/// <summary>The outcome of reading one manifest file: a model, or the reason there is none.</summary>
internal sealed record ParsedManifest(string Path, ModelManifest? Model, ManifestError? Error);

/// <summary>Why a manifest was rejected, with the 1-based position when known (0 otherwise).</summary>
internal sealed record ManifestError(string DiagnosticId, string Message, int Line, int Column);

/// <summary>Turns manifest text into a <see cref="ModelManifest"/>, validating every field of schema version 1.</summary>
internal static class ManifestParser
{
    /// <summary>The only schema version this generator reads.</summary>
    public const int SchemaVersion = ManifestFields.CurrentSchema;

    /// <summary>Parses a manifest. Never throws: every problem becomes a <see cref="ManifestError"/>.</summary>
    public static ParsedManifest Parse(string path, string? text)
    {
        if (text is null)
        {
            return Fail(path, ErrorCodes.InvalidManifest, "The manifest could not be read", 0, 0);
        }

        try
        {
            var root = JsonReader.Parse(text);
            return new ParsedManifest(path, ReadModel(root), null);
        }
        catch (UnsupportedVersionException e)
        {
            return Fail(path, ErrorCodes.UnsupportedManifestSchema, e.Message, e.Line, e.Column);
        }
        catch (JsonException e)
        {
            return Fail(path, ErrorCodes.InvalidManifest, e.Message, e.Line, e.Column);
        }
    }

    private static ParsedManifest Fail(string path, string id, string message, int line, int column) =>
        new(path, null, new ManifestError(id, message, line, column));

    private static ModelManifest ReadModel(JsonValue root)
    {
        Require(root, JsonKind.Object, "The manifest must be a JSON object");
        var version = Get(root, ManifestFields.SchemaVersion);
        if (version.Kind != JsonKind.Number || version.Text != SchemaVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw new UnsupportedVersionException(
                $"Manifest schema version {Describe(version)} is not supported; this generator reads version {SchemaVersion}. Update the Quantize.Build package so the generator and the build worker match.",
                version.Line,
                version.Column);
        }

        var className = String(root, ManifestFields.ClassName);
        if (!IsIdentifier(className))
        {
            throw At(Get(root, ManifestFields.ClassName), $"'className' must be a C# identifier, but is '{className}'");
        }

        var ns = String(root, ManifestFields.Namespace);
        if (ns.Length > 0 && !IsNamespace(ns))
        {
            throw At(Get(root, ManifestFields.Namespace), $"'namespace' must be a dotted C# name or empty, but is '{ns}'");
        }

        var precisionValue = Get(root, ManifestFields.Precision);
        var precision = PrecisionSpellings.Names.FirstOrDefault(p => string.Equals(p, String(root, ManifestFields.Precision), StringComparison.OrdinalIgnoreCase))
            ?? throw At(precisionValue, $"'precision' must be one of {PrecisionSpellings.Accepted}, but is '{precisionValue.Text}'");

        var resource = Get(root, ManifestFields.ResourceName);
        string? resourceName = resource.Kind == JsonKind.Null ? null : String(root, ManifestFields.ResourceName);
        var modelFileName = String(root, ManifestFields.ModelFileName);
        if (modelFileName.Length == 0)
        {
            throw At(Get(root, ManifestFields.ModelFileName), "'modelFileName' must not be empty");
        }

        var inputs = Tensors(root, ManifestFields.Inputs);
        var outputs = Tensors(root, ManifestFields.Outputs);
        if (outputs.Count == 0)
        {
            throw At(Get(root, ManifestFields.Outputs), "'outputs' must list at least one tensor");
        }

        return new ModelManifest(
            className,
            ns,
            precision,
            resourceName,
            modelFileName,
            String(root, ManifestFields.SourceFile),
            String(root, ManifestFields.SourceSha256),
            String(root, ManifestFields.OutputSha256),
            Count(root, ManifestFields.BytesBefore),
            Count(root, ManifestFields.BytesAfter),
            OptionalBool(root, ManifestFields.UsesOrtExtensions),
            inputs,
            outputs);
    }

    private static EquatableArray<TensorManifest> Tensors(JsonValue root, string name)
    {
        var array = Get(root, name);
        Require(array, JsonKind.Array, $"'{name}' must be an array of tensors");
        var tensors = ImmutableArray.CreateBuilder<TensorManifest>(array.Items!.Count);
        var names = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        foreach (var item in array.Items)
        {
            Require(item, JsonKind.Object, $"Each entry of '{name}' must be an object");
            var tensorName = String(item, ManifestFields.Name);
            if (tensorName.Length == 0)
            {
                throw At(Get(item, ManifestFields.Name), $"A tensor in '{name}' has an empty name");
            }

            if (!names.Add(tensorName))
            {
                throw At(Get(item, ManifestFields.Name), $"Tensor '{tensorName}' appears twice in '{name}'");
            }

            var typeName = String(item, ManifestFields.ElementType);
            var type = ElementType.Find(typeName)
                ?? throw At(Get(item, ManifestFields.ElementType), $"Tensor '{tensorName}' has element type '{typeName}', which is not one of {string.Join(", ", ElementType.Names)}");
            tensors.Add(new TensorManifest(tensorName, type, Shape(item, tensorName)));
        }

        return new EquatableArray<TensorManifest>(tensors.MoveToImmutable());
    }

    private static EquatableArray<Dimension> Shape(JsonValue tensor, string tensorName)
    {
        var shape = Get(tensor, ManifestFields.Shape);
        Require(shape, JsonKind.Array, $"The shape of tensor '{tensorName}' must be an array");
        var dims = ImmutableArray.CreateBuilder<Dimension>(shape.Items!.Count);
        foreach (var dim in shape.Items)
        {
            switch (dim.Kind)
            {
                case JsonKind.Null:
                    dims.Add(Dimension.Unnamed);
                    break;
                case JsonKind.String when dim.Text!.Length > 0:
                    dims.Add(Dimension.Named(dim.Text));
                    break;
                case JsonKind.Number when long.TryParse(dim.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var size):
                    dims.Add(Dimension.Static(size));
                    break;
                default:
                    throw At(dim, $"A dimension of tensor '{tensorName}' must be a non-negative integer, a non-empty name, or null, but is {Describe(dim)}");
            }
        }

        return new EquatableArray<Dimension>(dims.MoveToImmutable());
    }

    private static JsonValue Get(JsonValue obj, string name) =>
        obj.Property(name) ?? throw At(obj, $"Required property '{name}' is missing");

    private static string String(JsonValue obj, string name)
    {
        var value = Get(obj, name);
        Require(value, JsonKind.String, $"'{name}' must be a string, but is {Describe(value)}");
        return value.Text!;
    }

    private static long Count(JsonValue obj, string name)
    {
        var value = Get(obj, name);
        if (value.Kind != JsonKind.Number || !long.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            throw At(value, $"'{name}' must be a non-negative integer, but is {Describe(value)}");
        }

        return count;
    }

    private static bool OptionalBool(JsonValue obj, string name)
    {
        var value = obj.Property(name);
        return value?.Kind switch
        {
            null => false,
            JsonKind.True => true,
            JsonKind.False => false,
            _ => throw At(value, $"'{name}' must be true or false, but is {Describe(value)}"),
        };
    }

    private static bool IsIdentifier(string name) =>
        SyntaxFacts.IsValidIdentifier(name) && SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None;

    private static bool IsNamespace(string name)
    {
        foreach (var part in name.Split('.'))
        {
            if (!IsIdentifier(part))
            {
                return false;
            }
        }

        return true;
    }

    private static void Require(JsonValue value, JsonKind kind, string message)
    {
        if (value.Kind != kind)
        {
            throw At(value, message);
        }
    }

    private static string Describe(JsonValue value) => value.Kind switch
    {
        JsonKind.Null => "null",
        JsonKind.True => "true",
        JsonKind.False => "false",
        JsonKind.Number => value.Text!,
        JsonKind.String => $"the string \"{value.Text}\"",
        JsonKind.Array => "an array",
        _ => "an object",
    };

    private static JsonException At(JsonValue value, string message) =>
        new($"{message} (line {value.Line}, column {value.Column})", value.Line, value.Column);

    private sealed class UnsupportedVersionException(string message, int line, int column) : Exception(message)
    {
        public int Line { get; } = line;

        public int Column { get; } = column;
    }
}
