using CsCheck;
using Quantize.Core.Numerics;

namespace Quantize.Core.Tests.Numerics;

/// <summary>
/// The 4-bit block quantizer against values worked by hand from docs/numerics.md's formulas
/// (symmetric: scale = extreme / −8, zero point 8; asymmetric: scale = (max − min) / 15,
/// zp = clamp(round(−min / scale)); q = clamp(round_half_away(v × (1/scale)) + zp, 0, 15)), and bounds.
/// </summary>
public class Int4BlockQuantizerTests
{
    [Fact]
    public void Symmetric_block_worked_by_hand_including_ties_and_the_clamped_end()
    {
        // |−1| = |1|: the negative extreme wins (as ORT's range2scale), scale = −1 / −8 = 0.125, 1/scale = 8.
        // 0.0625·8 = 0.5 → 1, 0.1875·8 = 1.5 → 2, −0.3125·8 = −2.5 → −3 (half away from zero; half-even
        // would give 1, 2, −2); 1.0·8 = 8 → 16 → clamped to 15; 0.9·8 = 7.2 → 7 → 15.
        float[] block = [-1.0f, 0.5f, 0.25f, 0.0625f, 0.1875f, -0.3125f, 1.0f, 0.9f];
        var levels = new byte[block.Length];

        var (scale, zeroPoint) = Int4BlockQuantizer.QuantizeBlock(block, symmetric: true, levels);

        Assert.Equal(0.125f, scale);
        Assert.Equal(8, zeroPoint);
        Assert.Equal(new byte[] { 0, 12, 10, 9, 10, 5, 15, 15 }, levels);
        Assert.Equal(new[] { -1.0f, 0.5f, 0.25f, 0.125f, 0.25f, -0.375f, 0.875f, 0.875f }, levels.Select(q => Int4BlockQuantizer.Dequantize(q, scale, zeroPoint)));
    }

    [Fact]
    public void Symmetric_block_with_a_positive_extreme_has_a_negative_scale_and_keeps_the_extreme_exact()
    {
        // Extreme 2 → scale 2 / −8 = −0.25, 1/scale = −4: 2 → −8 → 0; −1 → 4 → 12; 0.5 → −2 → 6.
        float[] block = [2.0f, -1.0f, 0.5f];
        var levels = new byte[3];

        var (scale, zeroPoint) = Int4BlockQuantizer.QuantizeBlock(block, symmetric: true, levels);

        Assert.Equal(-0.25f, scale);
        Assert.Equal(new byte[] { 0, 12, 6 }, levels);
        Assert.Equal(block, levels.Select(q => Int4BlockQuantizer.Dequantize(q, scale, zeroPoint)));
    }

    [Fact]
    public void Asymmetric_block_worked_by_hand()
    {
        // min −1, max 2 → scale 3/15 = 0.2, zp = round(1 / 0.2) = 5, 1/scale = 5:
        // −1 → −5 + 5 = 0; 2 → 10 + 5 = 15; 0.5 → 2.5 → 3 (tie, away from zero) + 5 = 8; 0.2 → 1 + 5 = 6.
        float[] block = [-1.0f, 2.0f, 0.5f, 0.2f];
        var levels = new byte[4];

        var (scale, zeroPoint) = Int4BlockQuantizer.QuantizeBlock(block, symmetric: false, levels);

        Assert.Equal(0.2f, scale);
        Assert.Equal(5, zeroPoint);
        Assert.Equal(new byte[] { 0, 15, 8, 6 }, levels);
    }

    [Fact]
    public void Asymmetric_zero_point_rounds_half_away_from_zero_and_levels_clamp_at_15()
    {
        // min −0.5, max 2.5 → scale 0.2; −min/scale = 2.5 → zp 3 (half-even would give 2).
        // −0.5 → −2.5 → −3 + 3 = 0; 2.5 → 12.5 → 13 + 3 = 16 → 15.
        float[] block = [-0.5f, 2.5f];
        var levels = new byte[2];

        var (scale, zeroPoint) = Int4BlockQuantizer.QuantizeBlock(block, symmetric: false, levels);

        Assert.Equal(0.2f, scale);
        Assert.Equal(3, zeroPoint);
        Assert.Equal(new byte[] { 0, 15 }, levels);
    }

    [Fact]
    public void Asymmetric_range_always_includes_zero()
    {
        // All positive: min is taken as 0, so zp = 0 and scale = 3/15; 0.5·5 = 2.5 → 3, 1.5·5 = 7.5 → 8.
        float[] block = [0.5f, 1.5f, 3.0f];
        var levels = new byte[3];

        var (scale, zeroPoint) = Int4BlockQuantizer.QuantizeBlock(block, symmetric: false, levels);

        Assert.Equal(0.2f, scale);
        Assert.Equal(0, zeroPoint);
        Assert.Equal(new byte[] { 3, 8, 15 }, levels);
    }

    [Theory]
    [InlineData(true, 8)]
    [InlineData(false, 0)]
    public void Zero_block_has_zero_scale_and_dequantizes_to_zero(bool symmetric, int expectedLevel)
    {
        var levels = new byte[4];

        var (scale, zeroPoint) = Int4BlockQuantizer.QuantizeBlock(new float[4], symmetric, levels);

        Assert.Equal(0f, scale);
        Assert.False(float.IsNegative(scale));
        Assert.All(levels, q => Assert.Equal(expectedLevel, q));
        Assert.All(levels, q => Assert.Equal(0f, Int4BlockQuantizer.Dequantize(q, scale, zeroPoint)));
    }

    [Fact]
    public void Subnormal_block_quantizes_without_overflowing_the_reciprocal()
    {
        // 1e-40 / −8 is a subnormal scale whose reciprocal is +inf; levels must still be exact.
        float[] block = [1e-40f, -5e-41f, 0f];
        var levels = new byte[3];

        var (scale, zeroPoint) = Int4BlockQuantizer.QuantizeBlock(block, symmetric: true, levels);

        Assert.True(float.IsInfinity(1f / scale));
        Assert.Equal(new byte[] { 0, 12, 8 }, levels);
        // Subnormals carry few significant bits, so the scale itself is inexact; the result stays within it.
        Assert.InRange(Math.Abs(Int4BlockQuantizer.Dequantize(levels[0], scale, zeroPoint) - 1e-40), 0, Math.Abs(scale));
    }

    [Fact]
    public void Rows_are_zero_padded_to_whole_blocks()
    {
        // Two rows of 40 values in blocks of 32: the second block of each row holds 8 values and 24 padding.
        var values = Enumerable.Range(0, 80).Select(i => (float)Math.Sin(i) * (1 + (i % 7))).ToArray();

        var rows = Int4BlockQuantizer.QuantizeRows(values, rows: 2, length: 40, blockSize: 32, symmetric: false);

        Assert.Equal(2, rows.BlocksPerRow);
        Assert.Equal(64, rows.PaddedLength);
        Assert.Equal(128, rows.Levels.Length);
        for (int r = 0; r < 2; r++)
        {
            var tail = rows.Levels.AsSpan((r * 64) + 40, 24).ToArray();
            Assert.All(tail, q => Assert.Equal(rows.ZeroPoints[(r * 2) + 1], q));
            Assert.All(tail, q => Assert.Equal(0f, Int4BlockQuantizer.Dequantize(q, rows.Scales[(r * 2) + 1], rows.ZeroPoints[(r * 2) + 1])));

            // The partial block's parameters come from its 8 real values only.
            var expected = Int4BlockQuantizer.AsymmetricParameters(values.AsSpan((r * 40) + 32, 8));
            Assert.Equal(expected.Scale, rows.Scales[(r * 2) + 1]);
            Assert.Equal(expected.ZeroPoint, rows.ZeroPoints[(r * 2) + 1]);
        }
    }

    [Fact]
    public void Large_tensors_quantized_in_parallel_equal_block_by_block_results()
    {
        // 300 × 300 is above the parallel threshold; the last block of each row is partial (300 = 9 × 32 + 12).
        const int Rows = 300, Length = 300, BlockSize = 32;
        var random = new Random(11);
        var values = Enumerable.Range(0, Rows * Length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();

        var rows = Int4BlockQuantizer.QuantizeRows(values, Rows, Length, BlockSize, symmetric: true);

        var levels = new byte[BlockSize];
        for (int r = 0; r < Rows; r++)
        {
            for (int b = 0; b < rows.BlocksPerRow; b++)
            {
                int count = Math.Min(BlockSize, Length - (b * BlockSize));
                var (scale, _) = Int4BlockQuantizer.QuantizeBlock(values.AsSpan((r * Length) + (b * BlockSize), count), true, levels);
                Assert.Equal(scale, rows.Scales[(r * rows.BlocksPerRow) + b]);
                Assert.True(levels.AsSpan(0, count).SequenceEqual(rows.Levels.AsSpan((r * rows.PaddedLength) + (b * BlockSize), count)));
            }
        }
    }

    private static readonly Gen<float[]> Blocks =
        Gen.Select(Gen.Float[-100f, 100f], Gen.Int[0, 4], (v, kind) => kind == 0 ? 0f : v).Array[1, 64];

    [Fact]
    public void Symmetric_error_is_at_most_half_a_step_except_where_the_short_side_clamps()
    {
        Blocks.Sample(block =>
        {
            var levels = new byte[block.Length];
            var (scale, zeroPoint) = Int4BlockQuantizer.QuantizeBlock(block, symmetric: true, levels);
            float step = MathF.Abs(scale);
            for (int i = 0; i < block.Length; i++)
            {
                double error = Math.Abs(Int4BlockQuantizer.Dequantize(levels[i], scale, zeroPoint) - (double)block[i]);
                double slack = (1e-5 * step) + (1e-6 * Math.Abs(block[i]));
                // Levels reach 8 steps on the extreme's side but only 7 on the other: values past 7.5
                // steps there land on level 15, at most one step away.
                double scaled = block[i] / (double)scale;
                double bound = scaled > 7.5 ? Math.Abs(block[i]) - (7 * step) : step / 2;
                if (error > bound + slack)
                {
                    return false;
                }
            }

            return true;
        });
    }

    [Fact]
    public void Asymmetric_error_is_at_most_half_a_step()
    {
        Blocks.Sample(block =>
        {
            var levels = new byte[block.Length];
            var (scale, zeroPoint) = Int4BlockQuantizer.QuantizeBlock(block, symmetric: false, levels);
            return block.Select((v, i) => Math.Abs(Int4BlockQuantizer.Dequantize(levels[i], scale, zeroPoint) - (double)v))
                .All(error => error <= (scale / 2.0 * (1 + 1e-5)) + 1e-30);
        });
    }

    /// <summary>
    /// Values for the vectorized row path against the scalar reference: exact rounding ties (eighths), zeros, subnormals
    /// (a scale without a finite reciprocal) and, rarely, NaN and infinity, which the fast path hands to the reference.
    /// </summary>
    private static readonly Gen<float> RowValues = Gen.Frequency(
        (40, Gen.Float[-10f, 10f]), (20, Gen.Int[-16, 16].Select(i => i / 8f)), (10, Gen.Const(0f)),
        (2, Gen.Const(1e-40f)), (2, Gen.Const(-3e-41f)), (1, Gen.Const(float.NaN)), (1, Gen.Const(float.NegativeInfinity)));

    [Fact]
    public void Quantizing_rows_equals_quantizing_each_block_on_its_own()
    {
        var shapes = Gen.Select(Gen.Int[1, 5], Gen.Int[1, 100], Gen.OneOfConst(16, 32, 64), Gen.Bool);
        shapes.SelectMany(s => RowValues.Array[s.Item1 * s.Item2].Select(v => (s, v))).Sample(t =>
        {
            var ((rowCount, length, blockSize, symmetric), values) = t;
            var rows = Int4BlockQuantizer.QuantizeRows(values, rowCount, length, blockSize, symmetric);
            for (int r = 0; r < rowCount; r++)
            {
                for (int b = 0; b < rows.BlocksPerRow; b++)
                {
                    int start = b * blockSize;
                    int count = Math.Min(blockSize, length - start);
                    var levels = new byte[count];
                    var (scale, zeroPoint) = Int4BlockQuantizer.QuantizeBlock(values.AsSpan((r * length) + start, count), symmetric, levels);
                    if (!scale.Equals(rows.Scales[(r * rows.BlocksPerRow) + b]) || zeroPoint != rows.ZeroPoints[(r * rows.BlocksPerRow) + b]
                        || !levels.AsSpan().SequenceEqual(rows.Levels.AsSpan((r * rows.PaddedLength) + start, count)))
                    {
                        return false;
                    }
                }
            }

            return true;
        });
    }

    [Fact]
    public void Fused_extremes_equal_min_and_max_with_zero_and_see_every_non_finite_value()
    {
        // Lengths across several vector widths and tails; values include NaN, infinities and subnormals (RowValues).
        RowValues.Array[1, 300].Sample(values =>
        {
            bool finite = Int4BlockQuantizer.FiniteExtremes(values, out float min, out float max);
            if (!values.All(float.IsFinite))
            {
                return !finite;
            }

            float expectedMin = values.Aggregate(0f, MathF.Min), expectedMax = values.Aggregate(0f, MathF.Max);
            // Equal as numbers: +0 and −0 may come back for each other, which no parameter depends on.
            return finite && min == expectedMin && max == expectedMax;
        });
    }
}
