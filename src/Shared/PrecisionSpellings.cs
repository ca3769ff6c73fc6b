namespace Quantize.Shared;

/// <summary>
/// The precision names everyone accepts, once: the MSBuild task checks an item's Precision with it (so a typo fails
/// on the item in milliseconds), the engine parses with it, and the generator reads a manifest's precision with it.
/// Case-insensitive, with a few aliases people type.
/// </summary>
internal static class PrecisionSpellings
{
    /// <summary>The canonical names, as manifests and the engine's <c>Precision</c> enum spell them.</summary>
    public static readonly string[] Names = ["Fp16", "Bf16", "Int8", "Int4"];

    /// <summary>The names for messages: "Fp16, Bf16, Int8, Int4".</summary>
    public static string Accepted => string.Join(", ", Names);

    /// <summary>The canonical name <paramref name="text"/> spells (case-insensitive, aliases included), or null.</summary>
    public static string? Canonical(string? text)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "fp16" or "float16" or "half":
                return "Fp16";
            case "bf16" or "bfloat16":
                return "Bf16";
            case "int8" or "i8" or "int8dynamic":
                return "Int8";
            case "int4" or "i4" or "int4weightonly":
                return "Int4";
            default:
                return null;
        }
    }
}
