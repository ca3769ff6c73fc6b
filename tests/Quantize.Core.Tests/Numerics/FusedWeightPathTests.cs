using CsCheck;
using Quantize.Core.Numerics;
using Quantize.Core.Passes.Int4;
using Quantize.Core.Passes.Int8;

namespace Quantize.Core.Tests.Numerics;

/// <summary>
/// The fused, parallel weight paths against the element-wise references they replace: MatMulNBits bytes
/// from <see cref="Int4ColumnBlocks"/> equal packing <see cref="Int4BlockQuantizer.QuantizeRows"/> of the
/// transposed matrix, and <see cref="SymmetricWeights"/> equals <see cref="LinearQuantizer.Quantize"/> per
/// element with each column's (or the tensor's) own min/max range. Shapes include K not a multiple of the
/// block, widths not a multiple of the SIMD width, exact rounding ties and tensors large enough to run in parallel.
/// </summary>
public class FusedWeightPathTests
{
    private static readonly Gen<float> Weights = Gen.OneOf(Gen.Float[-4f, 4f], Gen.Int[-16, 16].Select(i => i / 8f), Gen.Const(0f));

    [Fact]
    public void Int4_column_blocks_equal_the_transposed_row_quantizer_packed()
    {
        var shapes = Gen.Select(Gen.Int[1, 70], Gen.Int[1, 40], Gen.OneOfConst(16, 32), Gen.Bool);
        shapes.SelectMany(s => Weights.Array[s.Item1 * s.Item2].Select(v => (s, v))).Sample(t =>
        {
            var ((k, n, blockSize, symmetric), values) = t;
            return SameAsReference(values, k, n, blockSize, symmetric);
        }, iter: 300);
    }

    [Fact]
    public void Int4_column_blocks_equal_the_reference_on_a_parallel_sized_weight()
    {
        var random = new Random(7);
        int k = 300;
        int n = 530; // > 65536 elements: the parallel path; K = 300 pads the last block; two full column tiles and a partial one.
        var values = Enumerable.Range(0, k * n).Select(_ => (float)(random.NextDouble() - 0.5) * (random.Next(50) == 0 ? 40f : 1f)).ToArray();
        Assert.True(SameAsReference(values, k, n, 32, symmetric: true));
        Assert.True(SameAsReference(values, k, n, 16, symmetric: false));
    }

    [Fact]
    public void Int4_column_blocks_divide_where_a_subnormal_scale_has_no_finite_reciprocal()
    {
        // Column 3 (in the vector part of the tile) and column 38 (in its scalar tail) hold only subnormals: their scale's
        // reciprocal is infinite, and the reference divides instead.
        var random = new Random(9);
        int k = 64, n = 40;
        var values = Enumerable.Range(0, k * n).Select(i => (i % n) is 3 or 38 ? (i % 3 == 0 ? 1e-40f : -5e-41f) : (float)(random.NextDouble() - 0.5)).ToArray();
        Assert.True(SameAsReference(values, k, n, 32, symmetric: true));
        Assert.True(SameAsReference(values, k, n, 16, symmetric: false));
    }

    [Fact]
    public void Int4_column_blocks_decline_non_finite_weights()
    {
        var values = new float[64];
        values[10] = float.NaN;
        Assert.Null(Int4ColumnBlocks.Quantize(values, 16, 4, 16, symmetric: true));
        values[10] = float.PositiveInfinity;
        Assert.Null(Int4ColumnBlocks.Quantize(values, 16, 4, 16, symmetric: true));
    }

    [Fact]
    public void Int8_symmetric_weights_equal_the_scalar_quantizer_per_element()
    {
        var shapes = Gen.Select(Gen.Int[1, 40], Gen.Int[1, 70], Gen.Bool);
        shapes.SelectMany(s => Weights.Array[s.Item1 * s.Item2].Select(v => (s, v))).Sample(t =>
        {
            var ((rows, columns, perColumn), values) = t;
            return Int8SameAsReference(values, rows, columns, perColumn);
        }, iter: 300);

        var random = new Random(3);
        var large = Enumerable.Range(0, 700 * 130).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        Assert.True(Int8SameAsReference(large, 700, 130, perColumn: false));
        Assert.True(Int8SameAsReference(large, 700, 130, perColumn: true));
    }

    [Fact]
    public void Int8_measurement_finds_non_finite_values_anywhere()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 300 * 257).Select(_ => (float)random.NextDouble()).ToArray();
        Assert.True(SymmetricWeights.Measure(values, 300, 257).AllFinite);
        foreach (var bad in new[] { float.NaN, float.NegativeInfinity })
        {
            foreach (var index in new[] { 0, 256, 12345, values.Length - 1 })
            {
                var copy = (float[])values.Clone();
                copy[index] = bad;
                Assert.False(SymmetricWeights.Measure(copy, 300, 257).AllFinite);
            }
        }
    }

    private static bool SameAsReference(float[] values, int k, int n, int blockSize, bool symmetric)
    {
        var transposed = new float[values.Length];
        for (int r = 0; r < k; r++)
        {
            for (int c = 0; c < n; c++)
            {
                transposed[(c * k) + r] = values[(r * n) + c];
            }
        }

        var reference = Int4BlockQuantizer.QuantizeRows(transposed, n, k, blockSize, symmetric);
        var (b, scales, _) = Int4Layouts.MatMulNBits(reference);
        var fused = Int4ColumnBlocks.Quantize(values, k, n, blockSize, symmetric);
        return fused is not null && fused.B.AsSpan().SequenceEqual(b) && fused.Scales.AsSpan().SequenceEqual(scales)
            && fused.ZeroPoints.AsSpan().SequenceEqual(reference.ZeroPoints);
    }

    [Fact]
    public void Int8_of_a_weight_read_through_a_transpose_equals_quantizing_the_transposed_floats()
    {
        var shapes = Gen.Select(Gen.Int[1, 300], Gen.Int[1, 300], Gen.Bool);
        shapes.SelectMany(s => Weights.Array[s.Item1 * s.Item2].Select(v => (s, v))).Sample(t =>
        {
            // The stored table is [n, k]; the MatMul's weight B is its transpose [k, n].
            var ((n, k, perColumn), stored) = t;
            var b = MatrixTranspose.Of(stored, n, k);
            var expected = SymmetricWeights.Quantize(b, k, n, perColumn, SymmetricWeights.Measure(b, k, n));
            var actual = SymmetricWeights.QuantizeTransposed(stored, n, k, perColumn, SymmetricWeights.MeasureTransposed(stored, n, k));
            return actual.Values.AsSpan().SequenceEqual(expected.Values) && actual.Scales.AsSpan().SequenceEqual(expected.Scales);
        }, iter: 100);
    }

    private static bool Int8SameAsReference(float[] values, int rows, int columns, bool perColumn)
    {
        var (qmin, qmax) = IntegerRange.Int8Symmetric;
        var statistics = SymmetricWeights.Measure(values, rows, columns);
        var quantized = SymmetricWeights.Quantize(values, rows, columns, perColumn, statistics);
        for (int c = 0; c < (perColumn ? columns : 1); c++)
        {
            var range = perColumn ? Enumerable.Range(0, rows).Select(r => values[(r * columns) + c]).ToArray() : values;
            var p = QuantizationParameters.FromRange(range.Min(), range.Max(), qmin, qmax, symmetric: true);
            if (quantized.Scales[c] != p.Scale)
            {
                return false;
            }
        }

        for (int i = 0; i < values.Length; i++)
        {
            var p = new QuantizationParameters(quantized.Scales[perColumn ? i % columns : 0], 0);
            if ((sbyte)quantized.Values[i] != LinearQuantizer.Quantize(values[i], p, qmin, qmax))
            {
                return false;
            }
        }

        return true;
    }
}
