using Microsoft.CodeAnalysis;
using Quantize.Shared;

namespace Quantize.Generators;

/// <summary>
/// The generator's diagnostics, with codes from the shared <see cref="ErrorCodes"/> (QNT2xxx is the generator's
/// range); docs/build-integration.md's diagnostics table lists them.
/// </summary>
internal static class Diagnostics
{
    private const string Category = "Quantize.Build";

    public static readonly DiagnosticDescriptor InvalidManifest = new(
        ErrorCodes.InvalidManifest,
        "Invalid model manifest",
        "Model manifest '{0}' is invalid: {1}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedSchema = new(
        ErrorCodes.UnsupportedManifestSchema,
        "Unsupported model manifest version",
        "Model manifest '{0}': {1}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateClass = new(
        ErrorCodes.DuplicateClass,
        "Two models generate the same class",
        "Model manifest '{0}' generates class '{1}', which manifest '{2}' already generates; give one of the QuantizedModel items another ClassName or Namespace",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MissingRuntime = new(
        ErrorCodes.RuntimeNotReferenced,
        "Quantize.Runtime is not referenced",
        "The generated model wrappers need the Quantize.Runtime library, which this compilation does not reference; reference the Quantize.Runtime package (the Quantize.Build package brings it)",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static DiagnosticDescriptor For(string id) => id switch
    {
        ErrorCodes.UnsupportedManifestSchema => UnsupportedSchema,
        _ => InvalidManifest,
    };
}
