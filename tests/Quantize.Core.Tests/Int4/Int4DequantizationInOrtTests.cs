using static Quantize.Core.Tests.Int4.Int4Harness;

namespace Quantize.Core.Tests.Int4;

/// <summary>
/// Reads back, through ONNX Runtime's own kernels, what quantized weights dequantize to, and compares
/// with values worked by hand (Int4BlockQuantizerTests has the working). This pins the byte layouts
/// (nibble order, K padding, scale and zero-point shapes, default zero points) to what ORT expects.
/// K = 40 with blocks of 32: every column has a full block and a partial, zero-padded one.
/// </summary>
public class Int4DequantizationInOrtTests
{
    private const int K = 40;
    private const int N = 3;

    // Column 0 of the weight; columns 1 and 2 stay zero (zero-scale blocks).
    private static readonly float[] SymmetricColumn = Column(
        [-1.0f, 0.5f, 0.25f, 0.0625f, 0.1875f, -0.3125f, 1.0f, 0.9f],
        [2.0f, -1.0f, 0.5f]);

    private static readonly float[] SymmetricExpected = Column(
        [-1.0f, 0.5f, 0.25f, 0.125f, 0.25f, -0.375f, 0.875f, 0.875f],
        [2.0f, -1.0f, 0.5f]);

    private static readonly float[] AsymmetricColumn = Column([-1.0f, 2.0f, 0.5f, 0.2f], [-0.5f, 2.5f]);

    private static readonly float[] AsymmetricExpected = Column([-1.0f, 2.0f, 0.6f, 0.2f], [-0.6f, 2.4f]);

    public static TheoryData<bool, bool> Forms => new() { { true, false }, { false, false }, { true, true }, { false, true } };

    [Theory]
    [MemberData(nameof(Forms))]
    public void MatMul_weight_dequantizes_in_ort_to_the_hand_worked_values(bool symmetric, bool standard)
    {
        var weight = new float[K * N];
        var column = symmetric ? SymmetricColumn : AsymmetricColumn;
        for (int k = 0; k < K; k++)
        {
            weight[k * N] = column[k];
        }

        // accuracy_level 1 keeps A in fp32 so the identity probe reads the weights exactly.
        var outcome = Run(TestModelCatalog.WeightProbe(weight, K, N, opset: standard ? 21 : 17), Options(symmetric: symmetric, accuracyLevel: 1, standard: standard));
        Assert.Equal(standard ? 0 : 1, Count(outcome.Model, "MatMulNBits"));
        Assert.Equal(standard ? 1 : 0, Count(outcome.Model, "DequantizeLinear"));

        var y = OrtRunner.Run(outcome.OutputPath, new Dictionary<string, OrtRunner.Input> { ["probe"] = OrtRunner.Floats(Identity(K), K, K) })["y"];

        var expected = symmetric ? SymmetricExpected : AsymmetricExpected;
        for (int k = 0; k < K; k++)
        {
            Assert.Equal(expected[k], y[k * N], 6);
            Assert.Equal(0f, y[(k * N) + 1]);
            Assert.Equal(0f, y[(k * N) + 2]);
        }
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Embedding_rows_dequantize_in_ort_to_the_hand_worked_values(bool symmetric, bool standard)
    {
        // Table [3, 40]: row 1 holds the hand-worked values, rows 0 and 2 are zero.
        var table = new float[3 * K];
        (symmetric ? SymmetricColumn : AsymmetricColumn).CopyTo(table, K);

        var outcome = Run(TestModelCatalog.TableProbe(table, 3, K, opset: standard ? 21 : 17), Options(symmetric: symmetric, standard: standard));
        Assert.Equal(standard ? 0 : 1, Count(outcome.Model, "GatherBlockQuantized"));

        var rows = OrtRunner.Run(outcome.OutputPath, new Dictionary<string, OrtRunner.Input> { ["ids"] = new(new long[] { 1, 0, 2, 1 }, [4]) })["rows"];

        var expected = symmetric ? SymmetricExpected : AsymmetricExpected;
        for (int i = 0; i < K; i++)
        {
            Assert.Equal(expected[i], rows[i], 6);
            Assert.Equal(0f, rows[K + i]);
            Assert.Equal(0f, rows[(2 * K) + i]);
            Assert.Equal(expected[i], rows[(3 * K) + i], 6);
        }
    }

    private static float[] Column(float[] firstBlock, float[] secondBlock)
    {
        var column = new float[K];
        firstBlock.CopyTo(column, 0);
        secondBlock.CopyTo(column, 32);
        return column;
    }
}
