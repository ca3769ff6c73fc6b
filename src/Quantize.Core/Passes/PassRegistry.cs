namespace Quantize.Core.Passes;

/// <summary>Maps each precision to the pass that produces it.</summary>
public static class PassRegistry
{
    private static readonly IQuantizationPass[] Passes =
    [
        new Fp16.Fp16Pass(),
        new Bf16.Bf16Pass(),
        new Int8.Int8DynamicPass(),
        new Int4.Int4WeightOnlyPass(),
    ];

    private static readonly IQuantizationPass StaticInt8 = new Int8Static.Int8StaticPass();

    /// <summary>Every non-standard operator any pass may emit (the runtime-compatibility check looks for each in the output).</summary>
    public static IReadOnlyList<EmittedOperator> EmittedOperators { get; } = [.. Passes.Append(StaticInt8).SelectMany(p => p.EmittedOperators).Distinct()];

    /// <summary>The pass for <paramref name="precision"/> without calibration data.</summary>
    public static IQuantizationPass For(Precision precision) => For(precision, hasRanges: false);

    /// <summary>
    /// The pass for <paramref name="precision"/>; with calibrated activation ranges INT8 is static (QDQ),
    /// without them dynamic.
    /// </summary>
    public static IQuantizationPass For(Precision precision, bool hasRanges) =>
        precision == Precision.Int8 && hasRanges
            ? StaticInt8
            : Passes.FirstOrDefault(p => p.Precision == precision) ?? throw new NotSupportedException($"No pass produces {precision} yet.");
}
