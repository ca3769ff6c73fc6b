using Google.Protobuf;
using Quantize.Core.Onnx;

namespace Quantize.Core.Tests.ModelFiles;

public class ModelWriterTests
{
    [Fact]
    public void Writes_in_place_and_leaves_no_other_files()
    {
        var folder = RealModels.ScratchFolder("writer");
        var path = Path.Combine(folder, "model.onnx");

        long written = ModelWriter.Save(TestModelCatalog.Mlp(), path);

        Assert.Equal(new FileInfo(path).Length, written);
        Assert.Equal(["model.onnx"], Directory.GetFiles(folder).Select(Path.GetFileName));
        Assert.Equal(TestModelCatalog.Mlp().ToByteArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void Past_the_inline_limit_weights_go_to_an_external_file_that_reads_back_and_runs()
    {
        var folder = RealModels.ScratchFolder("writer");
        var path = Path.Combine(folder, "big.onnx");
        var original = TestModelCatalog.Mlp();

        ModelWriter.Save(original.Clone(), path, inlineLimitBytes: 1000);

        Assert.True(File.Exists(path + ".data"));
        var raw = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.Contains(raw.Graph.Initializer, t => t.DataLocation == TensorProto.Types.DataLocation.External);
        var (loaded, _) = ModelReader.Load(path);
        var input = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(Enumerable.Range(0, 128).Select(i => MathF.Sin(i)).ToArray(), 2, 64) };
        Assert.Equal(OrtRunner.Run(original, input)["y"], OrtRunner.Run(loaded, input)["y"]);
        Assert.Equal(OrtRunner.Run(original, input)["y"], OrtRunner.Run(path, input)["y"]);
    }
}
