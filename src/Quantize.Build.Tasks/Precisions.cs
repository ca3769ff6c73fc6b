namespace Quantize.Build.Tasks;

/// <summary>
/// The precision names the worker accepts (Quantize.Core's PrecisionNames), checked here too so a typo fails in
/// milliseconds on the item, without starting the worker.
/// </summary>
internal static class Precisions
{
    public const string Accepted = "Fp16, Bf16, Int8, Int4";

    /// <summary>The canonical name for <paramref name="text"/> (case-insensitive, with the worker's aliases), or null.</summary>
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
