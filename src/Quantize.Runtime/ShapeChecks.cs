using System.ComponentModel;
using System.Globalization;
using System.Text;

namespace Quantize.Runtime;

/// <summary>
/// Checks that caller buffers fit the shapes the model declares. Messages name the tensor, the declared
/// shape with the caller's values for symbolic dimensions, and what was passed. Nothing is allocated
/// unless a check fails.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; not for IntelliSense
public static class ShapeChecks
{
    /// <summary>Rejects a negative value for a symbolic dimension.</summary>
    /// <param name="value">The value the caller gave.</param>
    /// <param name="parameterName">The wrapper parameter (named after the dimension).</param>
    /// <returns><paramref name="value"/>, widened.</returns>
    public static long Dimension(int value, string parameterName)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(parameterName, value, $"Dimension '{parameterName}' must not be negative.");
        }

        return value;
    }

    /// <summary>The number of elements a shape holds, checked for overflow.</summary>
    /// <param name="shape">The dimensions.</param>
    /// <returns>Their product.</returns>
    public static long ElementCount(long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (var d in shape)
        {
            count = checked(count * d);
        }

        return count;
    }

    /// <summary>Requires an input buffer to hold exactly the shape's elements.</summary>
    /// <param name="length">The buffer's length.</param>
    /// <param name="tensorName">The model's name for the tensor.</param>
    /// <param name="declaredShape">The declared dimensions: numbers for static ones, names for symbolic ones, <c>?</c> for unnamed ones.</param>
    /// <param name="shape">The concrete shape for this call.</param>
    /// <param name="parameterName">The wrapper parameter that carried the buffer.</param>
    /// <exception cref="TensorShapeException">The length differs.</exception>
    public static void RequireExact(int length, string tensorName, string[] declaredShape, long[] shape, string parameterName)
    {
        long expected = ElementCount(shape);
        if (length != expected)
        {
            throw new TensorShapeException(tensorName, Describe(declaredShape, shape, expected), $"the buffer holds {length} elements", parameterName);
        }
    }

    /// <summary>Requires an output buffer to hold at least the shape's elements (a larger buffer's prefix is written).</summary>
    /// <param name="length">The buffer's length.</param>
    /// <param name="tensorName">The model's name for the tensor.</param>
    /// <param name="declaredShape">The declared dimensions, as for <see cref="RequireExact"/>.</param>
    /// <param name="shape">The concrete shape for this call.</param>
    /// <param name="parameterName">The wrapper parameter that carried the buffer.</param>
    /// <exception cref="TensorShapeException">The buffer is too small.</exception>
    public static void RequireCapacity(int length, string tensorName, string[] declaredShape, long[] shape, string parameterName)
    {
        long expected = ElementCount(shape);
        if (length < expected)
        {
            throw new TensorShapeException(tensorName, Describe(declaredShape, shape, expected), $"the output buffer holds only {length} elements", parameterName);
        }
    }

    /// <summary>Formats a declared shape with concrete values, e.g. <c>[batch_size=2, 384] (768 elements)</c>.</summary>
    /// <param name="declaredShape">The declared dimensions.</param>
    /// <param name="shape">The concrete dimensions.</param>
    /// <param name="elements">Their product.</param>
    /// <returns>The description.</returns>
    public static string Describe(string[] declaredShape, long[] shape, long elements)
    {
        ArgumentNullException.ThrowIfNull(declaredShape);
        ArgumentNullException.ThrowIfNull(shape);
        var text = new StringBuilder("[");
        for (int i = 0; i < declaredShape.Length; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }

            var declared = declaredShape[i];
            var value = i < shape.Length ? shape[i].ToString(CultureInfo.InvariantCulture) : "?";
            text.Append(declared == value ? declared : $"{declared}={value}");
        }

        return text.Append("] (").Append(elements.ToString(CultureInfo.InvariantCulture)).Append(elements == 1 ? " element)" : " elements)").ToString();
    }
}
