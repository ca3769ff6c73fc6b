using Quantize.Core.Diagnostics;
using Quantize.Core.Onnx;
using static Quantize.Core.Tests.Fp16.PrecisionHarness;

namespace Quantize.Core.Tests.Fp16;

/// <summary>A model that is float16 already is reported (QNT1001) and written as it was, not converted again.</summary>
public class Fp16AlreadyConvertedTests
{
    private static readonly QuantizeOptions Fp16 = new() { Precision = Precision.Fp16 };

    [Fact]
    public void A_model_exported_in_float16_is_reported_and_left_as_it_is()
    {
        var model = TestModelCatalog.Float16Mlp();
        var converted = Convert(model, Fp16, "born-fp16");

        Assert.True(converted.Result.Unchanged);
        Assert.Contains(converted.Result.Warnings, w => w.Code == ErrorCodes.AlreadyInPrecision);
        Assert.DoesNotContain(converted.Result.Warnings, w => w.Code == ErrorCodes.NothingQuantized);
        Assert.Equal(model, converted.Model);
    }

    [Theory]
    [InlineData("Mlp")]
    [InlineData("ConstantAndIf-true")]
    [InlineData("Float32Islands")]
    public void Converting_an_fp16_output_again_reports_it_and_changes_nothing(string name)
    {
        var (model, _) = Catalog(name);
        var once = Convert(model, Fp16, name + "-once");
        var twice = QuantizeFile(once.OutputPath, Fp16, Path.Combine(Path.GetDirectoryName(once.OutputPath)!, "twice.onnx"));

        Assert.True(twice.Result.Unchanged);
        Assert.Contains(twice.Result.Warnings, w => w.Code == ErrorCodes.AlreadyInPrecision);
        Assert.Empty(twice.Result.QuantizedByOpType);
        Assert.Equal(File.ReadAllBytes(once.OutputPath), File.ReadAllBytes(twice.OutputPath));
    }
}
