namespace Quantize.Runtime;

/// <summary>One dimension of a model tensor as the model declares it.</summary>
/// <param name="Size">The static size, or -1 when the dimension is dynamic.</param>
/// <param name="Symbol">The symbolic name of a dynamic dimension (e.g. <c>batch_size</c>); null for static or unnamed ones.</param>
public readonly record struct TensorDimension(long Size, string? Symbol)
{
    /// <summary>Whether the size is only known at run time.</summary>
    public bool IsDynamic => Size < 0;

    /// <summary>A static dimension.</summary>
    /// <param name="size">The size.</param>
    /// <returns>The dimension.</returns>
    public static TensorDimension Static(long size) => new(size, null);

    /// <summary>A dynamic dimension, named or not.</summary>
    /// <param name="symbol">The symbolic name, or null.</param>
    /// <returns>The dimension.</returns>
    public static TensorDimension Dynamic(string? symbol) => new(-1, symbol);

    /// <summary>The size, the symbol, or <c>?</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Size >= 0 ? Size.ToString(System.Globalization.CultureInfo.InvariantCulture) : Symbol ?? "?";
}
