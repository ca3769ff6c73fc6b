using NuGet.Versioning;
using Quantize.Core.Inspection;

namespace Quantize.Cli.Build;

/// <summary>
/// The oldest ONNX Runtime that can run a model, from what it imports and uses, checked against the
/// Microsoft.ML.OnnxRuntime version the consuming project resolves. Without this the mismatch shows up only
/// when the app loads the model ("opset 21 is under development" or "no kernel for MatMulNBits").
/// </summary>
internal static class RuntimeRequirements
{
    // Facts from ONNX Runtime's versioning table (docs/Versioning.md): the release that first implemented each ONNX
    // opset. The contrib operators the engine emits, and their releases, are declared by the passes that emit them.
    private static readonly (long Opset, string Release)[] OpsetReleases =
    [
        (21, "1.18.0"),
        (20, "1.17.0"),
        (19, "1.15.0"),
        (18, "1.14.0"),
    ];

    /// <summary>The minimum ONNX Runtime release and why, or null when the model needs nothing recent.</summary>
    public static (NuGetVersion Version, string Reason)? Minimum(ModelInspection model)
    {
        var needs = new List<(NuGetVersion Version, string Reason)>();
        foreach (var opset in model.Opsets.Where(o => o.Domain == "ai.onnx"))
        {
            foreach (var (version, release) in OpsetReleases)
            {
                if (opset.Version >= version)
                {
                    needs.Add((NuGetVersion.Parse(release), $"ONNX opset {opset.Version}"));
                    break;
                }
            }
        }

        foreach (var (domain, opType, release) in Core.Passes.PassRegistry.EmittedOperators)
        {
            if (model.Operators.Any(o => o.Domain == domain && o.OpType == opType))
            {
                needs.Add((NuGetVersion.Parse(release), $"the {domain} operator {opType}"));
            }
        }

        return needs.Count == 0 ? null : needs.MaxBy(n => n.Version);
    }

    /// <summary>
    /// The error text when <paramref name="resolved"/> (as the project resolved it; empty or unparsable means
    /// unknown and passes) is older than the model needs; otherwise null.
    /// </summary>
    public static string? Check(ModelInspection model, string? resolved)
    {
        if (string.IsNullOrWhiteSpace(resolved) || !NuGetVersion.TryParse(resolved, out var version) || Minimum(model) is not { } minimum)
        {
            return null;
        }

        return version < minimum.Version
            ? $"The quantized model needs ONNX Runtime {minimum.Version.ToNormalizedString()} or later ({minimum.Reason}), but the project resolves Microsoft.ML.OnnxRuntime {version.ToNormalizedString()}. Reference Microsoft.ML.OnnxRuntime {minimum.Version.ToNormalizedString()} or later, or choose another precision."
            : null;
    }
}
