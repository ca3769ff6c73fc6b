using Quantize.Core.Numerics;
using static Quantize.Core.Tests.Int4.Int4Harness;

namespace Quantize.Core.Tests.Int4;

/// <summary>
/// HQQ against what its construction promises, computed here from the returned levels and parameters: every block's
/// squared reconstruction error is at most round-to-nearest's (the solver starts there and keeps its best iterate), and
/// on weights with heavy tails (where min–max ranges waste levels on a few outliers) the whole matrix is reconstructed
/// clearly better. The shrinkage operator is checked against its closed form, and the pass writes a model ONNX Runtime
/// runs with a smaller output error than round-to-nearest's on inputs that weight every channel alike.
/// </summary>
public sealed class HqqTests
{
    private const int Rows = 48;
    private const int Length = 128;

    [Theory]
    [InlineData(true, 32)]
    [InlineData(false, 32)]
    [InlineData(false, 16)]
    public void No_block_is_reconstructed_worse_than_round_to_nearest(bool symmetric, int blockSize)
    {
        var weights = HeavyTailed(Rows * Length, seed: 3);

        var hqq = Hqq.QuantizeRows(weights, Rows, Length, blockSize, symmetric);
        var rtn = Int4BlockQuantizer.QuantizeRows(weights, Rows, Length, blockSize, symmetric);

        int improved = 0;
        for (int r = 0; r < Rows; r++)
        {
            for (int b = 0; b < hqq.BlocksPerRow; b++)
            {
                double hqqError = BlockError(weights, hqq, r, b), rtnError = BlockError(weights, rtn, r, b);
                Assert.True(hqqError <= rtnError, $"row {r} block {b}: HQQ {hqqError:G6} > round-to-nearest {rtnError:G6}");
                improved += hqqError < rtnError ? 1 : 0;
            }
        }

        Assert.True(improved > Rows * hqq.BlocksPerRow / 4, $"only {improved} of {Rows * hqq.BlocksPerRow} blocks improved");
    }

    [Theory]
    [InlineData(true, 0.97)]
    [InlineData(false, 0.97)]
    public void On_heavy_tailed_weights_the_reconstruction_error_drops(bool symmetric, double atMost)
    {
        var weights = HeavyTailed(Rows * Length, seed: 5);

        double hqq = TotalError(weights, Hqq.QuantizeRows(weights, Rows, Length, 32, symmetric));
        double rtn = TotalError(weights, Int4BlockQuantizer.QuantizeRows(weights, Rows, Length, 32, symmetric));

        Assert.True(hqq < atMost * rtn, $"HQQ {hqq:G5} vs round-to-nearest {rtn:G5}");
    }

    [Fact]
    public void A_block_already_on_a_grid_stays_exact()
    {
        // Levels 0..15 of scale 0.25 with zero point 3: round-to-nearest is exact and HQQ must not move off it.
        var weights = Enumerable.Range(0, 32).Select(i => ((i % 16) - 3) * 0.25f).ToArray();

        var hqq = Hqq.QuantizeRows(weights, 1, 32, 32, symmetric: false);

        Assert.Equal(0, TotalError(weights, hqq));
    }

    [Theory]
    [InlineData(0.5f, 10f)]
    [InlineData(-0.5f, 10f)]
    [InlineData(0.02f, 10f)]
    [InlineData(3f, 2f)]
    public void The_shrinkage_operator_is_the_lp_proximal_step(float x, float beta)
    {
        float shrunk = Hqq.Shrink(x, beta);
        // Closed form: sign(x)·max(|x| − |x|^(p−1)/β, 0); it is 0 exactly when |x|^(2−p) ≤ 1/β.
        double expected = Math.Sign(x) * Math.Max(Math.Abs(x) - (Math.Pow(Math.Abs(x), Hqq.P - 1) / beta), 0);
        Assert.Equal(expected, shrunk, 1e-6);
        Assert.Equal(Math.Pow(Math.Abs(x), 2 - Hqq.P) <= 1 / beta, shrunk == 0);
        Assert.True(Math.Abs(shrunk) <= Math.Abs(x));
        Assert.Equal(0f, Hqq.Shrink(0f, beta));
    }

    [Fact]
    public void The_pass_with_hqq_runs_in_onnx_runtime_closer_to_float_than_round_to_nearest()
    {
        var model = TestModelCatalog.Mlp();
        var inputs = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(RandomFloats(16 * 64, 9), 16, 64) };

        var rtn = Run(model, Options(symmetric: false), "rtn");
        var hqq = Run(model, Options(symmetric: false) with { Int4Method = Int4Method.Hqq }, "hqq");

        Assert.Equal(2, Count(hqq.Model, "MatMulNBits"));
        double rtnError = RelativeErrors(rtn, inputs).Values.Max(), hqqError = RelativeErrors(hqq, inputs).Values.Max();
        Assert.True(hqqError < rtnError, $"HQQ {hqqError:G4} vs round-to-nearest {rtnError:G4}");
    }

    /// <summary>Laplace-distributed weights: most small, a few large, as trained layers have.</summary>
    private static float[] HeavyTailed(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            double u = random.NextDouble() - 0.5;
            return (float)(-0.05 * Math.Sign(u) * Math.Log(1 - (2 * Math.Abs(u))));
        })];
    }

    private static double BlockError(float[] weights, Int4QuantizedRows rows, int r, int b)
    {
        double sum = 0;
        for (int i = b * rows.BlockSize; i < Math.Min((b + 1) * rows.BlockSize, rows.Length); i++)
        {
            double d = weights[(r * rows.Length) + i] - rows.Dequantize(r, i);
            sum += d * d;
        }

        return sum;
    }

    private static double TotalError(float[] weights, Int4QuantizedRows rows) =>
        Enumerable.Range(0, rows.Rows).Sum(r => Enumerable.Range(0, rows.BlocksPerRow).Sum(b => BlockError(weights, rows, r, b)));
}
