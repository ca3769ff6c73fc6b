using Google.Protobuf;
using Quantize.Core.Diagnostics;
using Quantize.Core.Onnx;

namespace Quantize.Core.Tests.ModelFiles;

public class ExternalDataTests
{
    [Fact]
    public void External_weights_inside_the_model_folder_are_loaded_and_run_like_inline_ones()
    {
        var folder = RealModels.ScratchFolder("external");
        var inline = TestModelCatalog.Mlp();
        var model = MoveWeightToFile(inline.Clone(), "fc1.weight", folder, "weights/fc1.bin", offset: 16);
        var path = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(path, model.ToByteArray());

        var (loaded, bytes) = ModelReader.Load(path);

        Assert.Equal(inline.Graph.Initializer.Single(t => t.Name == "fc1.weight").ReadFloats(), loaded.Graph.Initializer.Single(t => t.Name == "fc1.weight").ReadFloats());
        Assert.Equal(new FileInfo(path).Length + (64 * 128 * 4), bytes);
        var input = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(Enumerable.Range(0, 64).Select(i => i / 64f).ToArray(), 1, 64) };
        Assert.Equal(OrtRunner.Run(inline, input)["y"], OrtRunner.Run(loaded, input)["y"]);
    }

    [Theory]
    [InlineData("../secret.bin")]
    [InlineData("weights/../../secret.bin")]
    [InlineData("/etc/passwd")]
    [InlineData("C:secret.bin")]
    public void A_location_outside_the_model_folder_is_QNT0004_and_nothing_is_read(string location)
    {
        var parent = RealModels.ScratchFolder("hostile");
        File.WriteAllBytes(Path.Combine(parent, "secret.bin"), new byte[64 * 128 * 4]);
        var folder = Path.Combine(parent, "model");
        Directory.CreateDirectory(folder);
        var model = TestModelCatalog.Mlp();
        var weight = model.Graph.Initializer.Single(t => t.Name == "fc1.weight");
        MakeExternal(weight, location, 0, weight.RawData.Length);
        var path = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(path, model.ToByteArray());

        var error = Assert.Throws<QuantizeException>(() => ModelReader.Load(path));

        Assert.Equal(ErrorCodes.HostilePath, error.Code);
        Assert.Contains(location, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_inside_the_folder_that_points_outside_is_QNT0004()
    {
        var parent = RealModels.ScratchFolder("link");
        var secret = Path.Combine(parent, "secret.bin");
        File.WriteAllBytes(secret, new byte[64 * 128 * 4]);
        var folder = Path.Combine(parent, "model");
        Directory.CreateDirectory(folder);
        File.CreateSymbolicLink(Path.Combine(folder, "weights.bin"), secret);
        var model = TestModelCatalog.Mlp();
        var weight = model.Graph.Initializer.Single(t => t.Name == "fc1.weight");
        MakeExternal(weight, "weights.bin", 0, weight.RawData.Length);
        var path = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(path, model.ToByteArray());

        Assert.Equal(ErrorCodes.HostilePath, Assert.Throws<QuantizeException>(() => ModelReader.Load(path)).Code);
    }

    [Theory]
    [InlineData("missing.bin", 0, 100)]
    [InlineData("short.bin", 0, 1_000_000)]
    [InlineData("short.bin", -5, 10)]
    public void A_missing_or_short_data_file_is_QNT0005(string location, long offset, long length)
    {
        var folder = RealModels.ScratchFolder("short");
        File.WriteAllBytes(Path.Combine(folder, "short.bin"), new byte[100]);
        var model = TestModelCatalog.Mlp();
        MakeExternal(model.Graph.Initializer.Single(t => t.Name == "fc1.weight"), location, offset, length);
        var path = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(path, model.ToByteArray());

        Assert.Equal(ErrorCodes.MissingExternalData, Assert.Throws<QuantizeException>(() => ModelReader.Load(path)).Code);
    }

    internal static ModelProto MoveWeightToFile(ModelProto model, string tensorName, string folder, string location, long offset)
    {
        var tensor = model.Graph.Initializer.Single(t => t.Name == tensorName);
        var file = Path.Combine(folder, location);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, [.. new byte[offset], .. tensor.RawData.ToByteArray()]);
        MakeExternal(tensor, location, offset, tensor.RawData.Length);
        return model;
    }

    private static void MakeExternal(TensorProto tensor, string location, long offset, long length)
    {
        tensor.RawData = ByteString.Empty;
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }
}
