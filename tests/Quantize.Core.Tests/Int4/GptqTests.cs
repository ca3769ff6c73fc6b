using Quantize.Core.Numerics;

namespace Quantize.Core.Tests.Int4;

/// <summary>
/// GPTQ on single layers, against what its equations promise: the layer-output error ‖X·B − X·B̂‖² is what it
/// minimizes, so it must beat round-to-nearest on correlated inputs; with uncorrelated inputs (H diagonal) there is
/// nothing to compensate and it must equal round-to-nearest level for level; an input that never fires gets a zero row.
/// </summary>
public sealed class GptqTests
{
    private const int K = 64;
    private const int N = 24;

    [Theory]
    [InlineData(true, 32)]
    [InlineData(false, 32)]
    [InlineData(true, 16)]
    public void On_correlated_inputs_gptq_has_a_smaller_layer_output_error_than_round_to_nearest(bool symmetric, int blockSize)
    {
        var weight = Weight();
        var x = CorrelatedInputs(rows: 400);
        var hessian = Gram(x, K);

        var gptq = Gptq.Quantize(weight, K, N, hessian, blockSize, symmetric);
        var rtn = Int4BlockQuantizer.QuantizeRows(MatrixTranspose.Of(weight, K, N), N, K, blockSize, symmetric);

        double gptqError = OutputError(x, weight, gptq);
        double rtnError = OutputError(x, weight, rtn);
        Assert.True(gptqError < 0.8 * rtnError, $"GPTQ {gptqError:G4} vs round-to-nearest {rtnError:G4}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void With_act_order_gptq_still_beats_round_to_nearest_on_inputs_of_uneven_energy(bool symmetric)
    {
        var weight = Weight();
        var x = CorrelatedInputs(rows: 400);
        for (int r = 0; r < 400; r++)
        {
            foreach (int loud in new[] { 9, 33, 50 })
            {
                x[(r * K) + loud] *= 8; // a few inputs carry most of the energy: what act-order is for
            }
        }

        var hessian = Gram(x, K);
        var actOrder = Gptq.Quantize(weight, K, N, hessian, 32, symmetric, actOrder: true);
        var rtn = Int4BlockQuantizer.QuantizeRows(MatrixTranspose.Of(weight, K, N), N, K, 32, symmetric);

        double actOrderError = OutputError(x, weight, actOrder), rtnError = OutputError(x, weight, rtn);
        Assert.True(actOrderError < 0.8 * rtnError, $"GPTQ act-order {actOrderError:G4} vs round-to-nearest {rtnError:G4}");
    }

    [Fact]
    public void With_act_order_blocks_keep_round_to_nearest_parameters_and_uncorrelated_inputs_give_its_levels()
    {
        // Static groups: every block's scale comes from the uncompensated weight, so with a diagonal H (nothing to
        // compensate), whatever the order, the result is round-to-nearest exactly.
        var weight = Weight();
        var hessian = new double[K * K];
        for (int i = 0; i < K; i++)
        {
            hessian[(i * K) + i] = 1 + ((i * 7) % 11);
        }

        var actOrder = Gptq.Quantize(weight, K, N, hessian, 32, symmetric: false, actOrder: true);
        var rtn = Int4BlockQuantizer.QuantizeRows(MatrixTranspose.Of(weight, K, N), N, K, 32, symmetric: false);

        Assert.Equal(rtn.Levels, actOrder.Levels);
        Assert.Equal(rtn.Scales, actOrder.Scales);
        Assert.Equal(rtn.ZeroPoints, actOrder.ZeroPoints);
    }

    [Fact]
    public void With_uncorrelated_inputs_gptq_is_round_to_nearest()
    {
        var weight = Weight();
        var hessian = new double[K * K];
        for (int i = 0; i < K; i++)
        {
            hessian[(i * K) + i] = 1 + (i % 5);
        }

        var gptq = Gptq.Quantize(weight, K, N, hessian, 32, symmetric: true);
        var rtn = Int4BlockQuantizer.QuantizeRows(MatrixTranspose.Of(weight, K, N), N, K, 32, symmetric: true);

        Assert.Equal(rtn.Levels, gptq.Levels);
        Assert.Equal(rtn.Scales, gptq.Scales);
    }

    [Fact]
    public void An_input_that_never_fires_gets_a_zero_row()
    {
        var weight = Weight();
        var x = CorrelatedInputs(rows: 200);
        for (int r = 0; r < 200; r++)
        {
            x[(r * K) + 5] = 0;
        }

        var gptq = Gptq.Quantize(weight, K, N, Gram(x, K), 32, symmetric: true);

        Assert.All(Enumerable.Range(0, N), c => Assert.Equal(0f, gptq.Dequantize(c, 5)));
    }

    [Fact]
    public void The_update_factor_is_the_upper_cholesky_factor_of_the_inverse()
    {
        var h = Gram(CorrelatedInputs(rows: 300), K);
        for (int i = 0; i < K; i++)
        {
            h[(i * K) + i] += 0.1;
        }

        var u = Gptq.UpperCholeskyOfInverse(h, K);

        // Uᵀ·U·H = I, and U is upper triangular.
        for (int i = 0; i < K; i++)
        {
            for (int j = 0; j < K; j++)
            {
                if (j < i)
                {
                    Assert.Equal(0, u[(i * K) + j]);
                }

                double product = 0;
                for (int m = 0; m < K; m++)
                {
                    double inverse = 0;
                    for (int q = 0; q < K; q++)
                    {
                        inverse += u[(q * K) + i] * u[(q * K) + m];
                    }

                    product += inverse * h[(m * K) + j];
                }

                Assert.Equal(i == j ? 1 : 0, product, 1e-8);
            }
        }
    }

    private static float[] Weight() =>
        [.. Enumerable.Range(0, K * N).Select(i => (float)(Math.Sin(i * 0.37) * (1 + (0.5 * Math.Cos(i * 0.011)))))];

    /// <summary>Rows of K inputs driven by 6 shared factors plus a little noise: strongly correlated, like a layer's activations.</summary>
    private static float[] CorrelatedInputs(int rows)
    {
        var random = new Random(7);
        var mixing = Enumerable.Range(0, 6 * K).Select(_ => (random.NextDouble() * 2) - 1).ToArray();
        var x = new float[rows * K];
        for (int r = 0; r < rows; r++)
        {
            var factors = Enumerable.Range(0, 6).Select(_ => (random.NextDouble() * 2) - 1).ToArray();
            for (int k = 0; k < K; k++)
            {
                double value = 0.05 * ((random.NextDouble() * 2) - 1);
                for (int f = 0; f < 6; f++)
                {
                    value += factors[f] * mixing[(f * K) + k];
                }

                x[(r * K) + k] = (float)value;
            }
        }

        return x;
    }

    private static double[] Gram(float[] x, int k)
    {
        var h = new double[k * k];
        for (int r = 0; r < x.Length / k; r++)
        {
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++)
                {
                    h[(i * k) + j] += (double)x[(r * k) + i] * x[(r * k) + j];
                }
            }
        }

        return h;
    }

    /// <summary>‖X·B − X·B̂‖², B̂ the dequantized weight.</summary>
    private static double OutputError(float[] x, float[] weight, Int4QuantizedRows quantized)
    {
        double error = 0;
        for (int r = 0; r < x.Length / K; r++)
        {
            for (int c = 0; c < N; c++)
            {
                double exact = 0, approximate = 0;
                for (int k = 0; k < K; k++)
                {
                    exact += x[(r * K) + k] * weight[(k * N) + c];
                    approximate += x[(r * K) + k] * quantized.Dequantize(c, k);
                }

                error += (exact - approximate) * (exact - approximate);
            }
        }

        return error;
    }
}
