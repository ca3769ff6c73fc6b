using Quantize.Core.Diagnostics;
using Quantize.Core.Numerics;
using Quantize.Testing.TestModels;
using static Quantize.Core.Tests.Int4.Int4Harness;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Int4;

/// <summary>
/// Layers an INT4 model keeps at 8 bits (<c>SELECTOR=Int8</c> overrides → MatMulNBits with bits = 8). The 8-bit blocks
/// are checked against their formulas, ONNX Runtime's kernel against x·B̂ computed here from those formulas (so the
/// layout is read the way it is written), and the override end to end: only the named MatMul changes, its error drops,
/// and the override is refused where it has no meaning.
/// </summary>
public sealed class EightBitLayerTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Each_value_is_within_half_a_step_and_the_extremes_are_exact(bool symmetric)
    {
        const int K = 80, N = 6, BlockSize = 32; // K is not a whole number of blocks: the last one is padded
        var weight = RandomFloats(K * N, 11, 0.3f);

        var blocks = EightBitBlocks.Quantize(weight, K, N, BlockSize, symmetric);

        int kBlocks = 3;
        Assert.Equal(N * kBlocks * BlockSize, blocks.B.Length);
        Assert.Equal(symmetric, blocks.ZeroPoints is null);
        for (int c = 0; c < N; c++)
        {
            for (int b = 0; b < kBlocks; b++)
            {
                float scale = blocks.Scales[(c * kBlocks) + b];
                byte zeroPoint = blocks.ZeroPoints?[(c * kBlocks) + b] ?? EightBitBlocks.SymmetricZeroPoint;
                var values = Enumerable.Range(b * BlockSize, Math.Min(BlockSize, K - (b * BlockSize))).Select(k => weight[(k * N) + c]).ToArray();
                var levels = blocks.B.AsSpan(((c * kBlocks) + b) * BlockSize, BlockSize).ToArray();
                for (int i = 0; i < values.Length; i++)
                {
                    Assert.InRange(Math.Abs(values[i] - EightBitBlocks.Dequantize(levels[i], scale, zeroPoint)), 0, (Math.Abs(scale) / 2) + 1e-7);
                }

                Assert.All(levels.Skip(values.Length), level => Assert.Equal(zeroPoint, level));
                if (symmetric)
                {
                    var extreme = values.MaxBy(Math.Abs);
                    Assert.Contains(levels.Take(values.Length), level => EightBitBlocks.Dequantize(level, scale, zeroPoint) == extreme);
                }
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Onnx_runtime_computes_x_times_the_dequantized_8_bit_weight(bool symmetric)
    {
        const int K = 80, N = 24;
        var builder = new ModelBuilder();
        var x = builder.Input("x", DataType.Float, 5, K);
        var weight = builder.RandomValues([K, N], 0.2f);
        builder.Node("MatMul", [x, builder.Initializer("w", weight, K, N)], "mm", "y");
        builder.Output("y", DataType.Float, 5, N);
        var input = RandomFloats(5 * K, 12);

        // accuracy_level 1: float activations, so the kernel's only approximation is the weight's.
        var outcome = Run(builder.Model, Options(symmetric: symmetric, accuracyLevel: 1) with { Overrides = [new("mm", LayerPrecision.Int8)] }, "eight-bit-ort");

        var node = Assert.Single(Nodes(outcome.Model, "MatMulNBits"));
        Assert.Equal(8, Attribute(node, "bits"));
        var blocks = EightBitBlocks.Quantize(weight, K, N, 32, symmetric);
        var actual = OrtRunner.Run(outcome.OutputPath, new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(input, 5, K) })["y"];
        for (int r = 0; r < 5; r++)
        {
            for (int c = 0; c < N; c++)
            {
                double expected = 0;
                for (int k = 0; k < K; k++)
                {
                    int parameters = (c * 3) + (k / 32);
                    byte zeroPoint = blocks.ZeroPoints?[parameters] ?? EightBitBlocks.SymmetricZeroPoint;
                    expected += input[(r * K) + k] * EightBitBlocks.Dequantize(blocks.B[(parameters * 32) + (k % 32)], blocks.Scales[parameters], zeroPoint);
                }

                Assert.Equal(expected, actual[(r * N) + c], 1e-4);
            }
        }
    }

    [Fact]
    public void An_int8_override_puts_only_that_matmul_in_8_bit_blocks_and_lowers_the_error()
    {
        var inputs = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(RandomFloats(8 * 64, 13), 8, 64) };
        var allFour = Run(TestModelCatalog.Mlp(), Options(), "eight-bit-none");
        var mixed = Run(TestModelCatalog.Mlp(), Options() with { Overrides = PrecisionOverride.Parse("fc2=Int8", "mlp.onnx") }, "eight-bit-fc2");

        var bits = Nodes(mixed.Model, "MatMulNBits").ToDictionary(n => n.Name, n => Attribute(n, "bits"));
        Assert.Equal(new Dictionary<string, long> { ["fc1"] = 4, ["fc2"] = 8 }, bits);
        Assert.Equal([new("fc2", "INT8")], mixed.Result.Overridden);
        Assert.Contains(mixed.Result.Notes, n => n.Contains("1 MatMul weight(s) in 8-bit blocks", StringComparison.Ordinal));
        var fc2 = Nodes(mixed.Model, "MatMulNBits").Single(n => n.Name == "fc2");
        Assert.Equal(new long[] { 64, 4, 32 }, mixed.Model.Graph.Initializer.Single(i => i.Name == fc2.Input[1]).Dims);
        double mixedError = RelativeErrors(mixed, inputs)["y"], allFourError = RelativeErrors(allFour, inputs)["y"];
        Assert.True(mixedError < 0.8 * allFourError, $"fc2 at 8 bits {mixedError:G4} vs all 4-bit {allFourError:G4}");
    }

    [Theory]
    [InlineData(Precision.Int8, false)]
    [InlineData(Precision.Fp16, false)]
    [InlineData(Precision.Int4, true)]
    public void An_int8_override_outside_an_int4_matmulnbits_model_is_an_invalid_option(Precision precision, bool standardOnnx)
    {
        var options = new QuantizeOptions { Precision = precision, StandardOnnxInt4 = standardOnnx, Overrides = [new("fc2", LayerPrecision.Int8)] };

        var error = Assert.Throws<QuantizeException>(() => Run(TestModelCatalog.Mlp(17 + (standardOnnx ? 4 : 0)), options, "eight-bit-refused"));

        Assert.Equal(ErrorCodes.InvalidOption, error.Code);
        Assert.Contains("Override 'fc2=Int8' keeps layers at 8 bits inside an INT4 model", error.Message, StringComparison.Ordinal);
    }
}
