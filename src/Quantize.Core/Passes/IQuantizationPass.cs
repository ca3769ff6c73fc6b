namespace Quantize.Core.Passes;

/// <summary>One precision's rewrite of a model, in place.</summary>
public interface IQuantizationPass
{
    /// <summary>The precision this pass produces.</summary>
    Precision Precision { get; }

    /// <summary>Rewrites <see cref="PassContext.Model"/>; records what it did in <see cref="PassContext.Result"/>.</summary>
    void Run(PassContext context);
}
