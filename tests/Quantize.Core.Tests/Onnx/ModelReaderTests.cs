using Google.Protobuf;
using Quantize.Core.Diagnostics;
using Quantize.Core.Onnx;

namespace Quantize.Core.Tests.Onnx;

public class ModelReaderTests
{
    [Fact]
    public void Reads_a_model_built_in_code_and_reports_its_size()
    {
        var folder = RealModels.ScratchFolder("reader");
        var path = Path.Combine(folder, "mlp.onnx");
        File.WriteAllBytes(path, TestModelCatalog.Mlp().ToByteArray());

        var (model, bytes) = ModelReader.Load(path);

        Assert.Equal(new FileInfo(path).Length, bytes);
        Assert.Equal(TestModelCatalog.Mlp(), model);
    }

    [Fact]
    public void A_truncated_model_is_QNT0002_naming_the_file()
    {
        var folder = RealModels.ScratchFolder("reader");
        var path = Path.Combine(folder, "truncated.onnx");
        var bytes = TestModelCatalog.Mlp().ToByteArray();
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<QuantizeException>(() => ModelReader.Load(path));

        Assert.Equal(ErrorCodes.InvalidModel, error.Code);
        Assert.Equal(path, error.FilePath);
        Assert.Contains("truncated.onnx", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("This is a text file, not a model.\n")]
    [InlineData("\u0089PNG\r\n\u001a\n\0\0\0\rIHDR")]
    [InlineData("")]
    public void A_file_that_is_not_onnx_is_QNT0002(string content)
    {
        var path = Path.Combine(RealModels.ScratchFolder("reader"), "not-a-model.onnx");
        File.WriteAllText(path, content);

        var error = Assert.Throws<QuantizeException>(() => ModelReader.Load(path));

        Assert.Equal(ErrorCodes.InvalidModel, error.Code);
    }

    [Fact]
    public void A_missing_file_is_QNT0001()
    {
        var path = Path.Combine(RealModels.ScratchFolder("reader"), "nowhere.onnx");

        var error = Assert.Throws<QuantizeException>(() => ModelReader.Load(path));

        Assert.Equal(ErrorCodes.ModelNotFound, error.Code);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(10)]
    public void Every_IR_version_from_3_to_10_is_read(long irVersion)
    {
        var model = TestModelCatalog.Mlp();
        model.IrVersion = irVersion;
        var path = Path.Combine(RealModels.ScratchFolder("reader"), "ir.onnx");
        File.WriteAllBytes(path, model.ToByteArray());

        Assert.Equal(irVersion, ModelReader.Load(path).Model.IrVersion);
    }

    [Fact]
    public void The_real_ResNet18_with_float_data_weights_reads_back_identically()
    {
        var (model, bytes) = ModelReader.Load(RealModels.ResNet18Path);

        Assert.Equal(3, model.IrVersion);
        Assert.Equal(new FileInfo(RealModels.ResNet18Path).Length, bytes);
        Assert.Contains(model.Graph.Initializer, t => t.FloatData.Count > 0);
        Assert.Equal(File.ReadAllBytes(RealModels.ResNet18Path), model.ToByteArray());
    }
}
