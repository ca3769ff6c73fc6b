using Google.Protobuf;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Numerics;

namespace Quantize.Core.Tests.Int4;

/// <summary>
/// AWQ on single layers, against its equations: B̂ = diag(s)⁻¹·Q(diag(s)·B) computed here from the returned rows and
/// scales, and the layer-output error ‖X·B − X·B̂‖² measured on X itself (not through the Hessian the method used).
/// The search includes α = 0, round-to-nearest, so it never does worse on the calibration inputs; on inputs with a few
/// large channels (what makes activation-aware scaling pay) it does clearly better.
/// </summary>
public sealed class AwqTests
{
    private const int K = 64;
    private const int N = 24;

    [Theory]
    [InlineData(true, 32)]
    [InlineData(false, 32)]
    [InlineData(true, 16)]
    public void On_inputs_with_large_channels_awq_has_a_smaller_layer_output_error_than_round_to_nearest(bool symmetric, int blockSize)
    {
        var weight = Weight();
        var x = Inputs(rows: 300, largeChannels: [3, 17, 40]);

        var awq = Awq.Quantize(weight, K, N, Gram(x), blockSize, symmetric);
        var rtn = Int4BlockQuantizer.QuantizeRows(MatrixTranspose.Of(weight, K, N), N, K, blockSize, symmetric);

        double awqError = OutputError(x, weight, awq.Rows, awq.InputScales);
        double rtnError = OutputError(x, weight, rtn, null);
        Assert.NotNull(awq.InputScales);
        Assert.True(awq.Alpha > 0);
        Assert.True(awqError < 0.8 * rtnError, $"AWQ {awqError:G4} (α {awq.Alpha}) vs round-to-nearest {rtnError:G4}");
        Assert.Equal(awqError, awq.Error, awqError * 1e-3);
        Assert.Equal(rtnError, awq.RtnError, rtnError * 1e-3);
    }

    [Fact]
    public void It_never_does_worse_than_round_to_nearest_and_with_even_inputs_it_is_round_to_nearest()
    {
        var weight = Weight();
        var x = Inputs(rows: 300, largeChannels: []);

        var awq = Awq.Quantize(weight, K, N, Gram(x), 32, symmetric: true);

        Assert.True(awq.Error <= awq.RtnError);
        if (awq.InputScales is null)
        {
            Assert.Equal(Int4BlockQuantizer.QuantizeRows(MatrixTranspose.Of(weight, K, N), N, K, 32, symmetric: true).Levels, awq.Rows.Levels);
        }
    }

    [Fact]
    public void The_emitted_division_and_scaled_weight_compute_the_float_layer_better_than_round_to_nearest()
    {
        var folder = RealModels.ScratchFolder("awq-mlp");
        var input = Path.Combine(folder, "mlp.onnx");
        File.WriteAllBytes(input, TestModelCatalog.Mlp().ToByteArray());
        var x = Inputs(rows: 16, largeChannels: [3, 17, 40]);
        var samples = Directory.CreateDirectory(Path.Combine(folder, "calibration")).FullName;
        for (int r = 0; r < 16; r++)
        {
            File.WriteAllBytes(Path.Combine(samples, $"{r:D2}.npy"), NpyWriter.Floats(x.AsSpan(r * K, K).ToArray(), [1, K]));
        }

        var options = new QuantizeOptions { Precision = Precision.Int4, BlockSize = 16 };
        Quantizer.Run(new QuantizeJob { InputPath = input, OutputPath = Path.Combine(folder, "rtn.onnx"), Options = options });
        var result = Quantizer.Run(new QuantizeJob
        {
            InputPath = input,
            OutputPath = Path.Combine(folder, "awq.onnx"),
            Options = options with { Int4Method = Int4Method.Awq },
            Calibration = new CalibrationSetup(new CalibrationDataOptions { Sources = [samples] }, new CalibrationOptions { MinimumSamples = 1 }),
        });

        var awq = Onnx.ModelReader.Load(Path.Combine(folder, "awq.onnx")).Model;
        Assert.Contains(awq.Graph.Node, n => n.OpType == "Mul" && n.Name.Contains("awq", StringComparison.Ordinal));
        var feed = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(x, 16, K) };
        var reference = OrtRunner.Run(input, feed)["y"];
        double ErrorOf(string name) => OrtRunner.Run(Path.Combine(folder, name), feed)["y"].Zip(reference, (a, b) => (double)(a - b) * (a - b)).Sum();
        Assert.True(ErrorOf("awq.onnx") < ErrorOf("rtn.onnx"), $"AWQ {ErrorOf("awq.onnx"):G4} vs round-to-nearest {ErrorOf("rtn.onnx"):G4}");
        Assert.Equal(16, result.Calibration!.SampleCount);
    }

    private static float[] Weight() =>
        [.. Enumerable.Range(0, K * N).Select(i => (float)(Math.Sin(i * 0.37) * (1 + (0.5 * Math.Cos(i * 0.011)))))];

    /// <summary>Random inputs, with <paramref name="largeChannels"/> about 30 times larger than the rest (activation outliers).</summary>
    private static float[] Inputs(int rows, int[] largeChannels)
    {
        var random = new Random(11);
        var x = new float[rows * K];
        for (int r = 0; r < rows; r++)
        {
            for (int k = 0; k < K; k++)
            {
                x[(r * K) + k] = (float)(((random.NextDouble() * 2) - 1) * (largeChannels.Contains(k) ? 30 : 1));
            }
        }

        return x;
    }

    private static double[] Gram(float[] x)
    {
        var h = new double[K * K];
        for (int r = 0; r < x.Length / K; r++)
        {
            for (int i = 0; i < K; i++)
            {
                for (int j = 0; j < K; j++)
                {
                    h[(i * K) + j] += (double)x[(r * K) + i] * x[(r * K) + j];
                }
            }
        }

        return h;
    }

    private static double OutputError(float[] x, float[] weight, Int4QuantizedRows rows, float[]? scales)
    {
        double total = 0;
        for (int r = 0; r < x.Length / K; r++)
        {
            for (int c = 0; c < N; c++)
            {
                double exact = 0, approximate = 0;
                for (int k = 0; k < K; k++)
                {
                    exact += x[(r * K) + k] * weight[(k * N) + c];
                    approximate += x[(r * K) + k] * rows.Dequantize(c, k) / (scales?[k] ?? 1f);
                }

                total += (exact - approximate) * (exact - approximate);
            }
        }

        return total;
    }
}
