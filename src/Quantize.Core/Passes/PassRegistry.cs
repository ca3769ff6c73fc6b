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

    /// <summary>The pass for <paramref name="precision"/>.</summary>
    public static IQuantizationPass For(Precision precision) =>
        Passes.FirstOrDefault(p => p.Precision == precision)
        ?? throw new NotSupportedException($"No pass produces {precision} yet.");
}
