namespace Quantize.Generators.Manifest;

/// <summary>
/// One model's manifest (schema version 1, documented in docs/manifest.md): everything the generator needs
/// to write the wrapper, and nothing it would have to read from the model itself.
/// </summary>
internal sealed record ModelManifest(
    string ClassName,
    string Namespace,
    string Precision,
    string? ResourceName,
    string ModelFileName,
    string SourceFile,
    string SourceSha256,
    string OutputSha256,
    long BytesBefore,
    long BytesAfter,
    bool UsesOrtExtensions,
    EquatableArray<TensorManifest> Inputs,
    EquatableArray<TensorManifest> Outputs);

/// <summary>A graph input or output.</summary>
internal sealed record TensorManifest(string Name, ElementType ElementType, EquatableArray<Dimension> Shape);

/// <summary>One declared dimension: a static size, a symbolic name, or neither (unnamed dynamic).</summary>
internal readonly record struct Dimension(long Size, string? Symbol)
{
    public bool IsStatic => Size >= 0;

    public static Dimension Static(long size) => new(size, null);

    public static Dimension Named(string symbol) => new(-1, symbol);

    public static Dimension Unnamed => new(-1, null);

    /// <summary>How docs and error messages show it: the size, the name, or <c>?</c>.</summary>
    public override string ToString() => IsStatic ? Size.ToString(System.Globalization.CultureInfo.InvariantCulture) : Symbol ?? "?";
}
