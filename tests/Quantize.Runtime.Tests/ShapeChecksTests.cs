namespace Quantize.Runtime.Tests;

/// <summary>Buffers that do not fit a tensor's shape are refused with a message that says which and why.</summary>
public sealed class ShapeChecksTests
{
    [Fact]
    public void A_negative_dimension_names_its_parameter()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ShapeChecks.Dimension(-1, "batch"));
        Assert.Equal("batch", ex.ParamName);
        Assert.Equal(3L, ShapeChecks.Dimension(3, "batch"));
    }

    [Fact]
    public void Element_counts_multiply_and_refuse_to_overflow()
    {
        Assert.Equal(24L, ShapeChecks.ElementCount([2, 3, 4]));
        Assert.Equal(1L, ShapeChecks.ElementCount([]));
        Assert.Throws<OverflowException>(() => ShapeChecks.ElementCount([long.MaxValue / 2, 3]));
    }

    [Fact]
    public void An_input_must_hold_exactly_its_shape_and_the_message_shows_the_symbolic_values()
    {
        ShapeChecks.RequireExact(128, "input_ids", ["batch", "64"], [2, 64], "inputIds");

        var ex = Assert.Throws<TensorShapeException>(() => ShapeChecks.RequireExact(100, "input_ids", ["batch", "64"], [2, 64], "inputIds"));
        Assert.Equal("inputIds", ex.ParamName);
        Assert.Contains("input_ids", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[batch=2, 64] (128 elements)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("holds 100 elements", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_output_may_be_larger_than_its_shape_but_not_smaller()
    {
        ShapeChecks.RequireCapacity(200, "y", ["batch", "10"], [2, 10], "y");

        var ex = Assert.Throws<TensorShapeException>(() => ShapeChecks.RequireCapacity(19, "y", ["batch", "10"], [2, 10], "y"));
        Assert.Contains("holds only 19 elements", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scalar_is_one_element()
    {
        Assert.Equal("[] (1 element)", ShapeChecks.Describe([], [], 1));
    }
}
