using Microsoft.CodeAnalysis;

namespace Quantize.Generators;

/// <summary>
/// The generator's diagnostics. QNT2xxx is the generator's range (QNT0xxx engine errors, QNT1xxx engine
/// warnings); docs/cli.md's diagnostics table lists them all.
/// </summary>
internal static class Diagnostics
{
    public const string InvalidManifestId = "QNT2001";
    public const string UnsupportedSchemaId = "QNT2002";
    public const string DuplicateClassId = "QNT2003";
    public const string MissingRuntimeId = "QNT2004";

    private const string Category = "Quantize.Build";

    public static readonly DiagnosticDescriptor InvalidManifest = new(
        InvalidManifestId,
        "Invalid model manifest",
        "Model manifest '{0}' is invalid: {1}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedSchema = new(
        UnsupportedSchemaId,
        "Unsupported model manifest version",
        "Model manifest '{0}': {1}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateClass = new(
        DuplicateClassId,
        "Two models generate the same class",
        "Model manifest '{0}' generates class '{1}', which manifest '{2}' already generates; give one of the QuantizedModel items another ClassName or Namespace",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MissingRuntime = new(
        MissingRuntimeId,
        "Quantize.Runtime is not referenced",
        "The generated model wrappers need the Quantize.Runtime library, which this compilation does not reference; reference the Quantize.Runtime package (the Quantize.Build package brings it)",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static DiagnosticDescriptor For(string id) => id switch
    {
        UnsupportedSchemaId => UnsupportedSchema,
        _ => InvalidManifest,
    };
}
