using System.Text;
using Quantize.Core.Onnx;
using SkiaSharp;
using Quantize.Testing;
using Quantize.Testing.TestModels;
using Xunit.Abstractions;

namespace Quantize.Cli.Tests;

/// <summary>
/// Static INT8 through the real CLI: calibration files written here (.npy, .txt) reach the calibrator, the
/// written model holds Q/DQ pairs and runs close to float in ONNX Runtime, the ranges cache is reused only
/// when data and method match, and bad calibration data fails with its QNT code before anything is written.
/// </summary>
[Trait(PassTraits.Requires, PassTraits.Passes)]
public sealed class StaticInt8CommandTests(ITestOutputHelper output) : IDisposable
{
    private static readonly long[] CnnShape = [1, 3, 16, 16];

    private readonly string _folder = RealModels.ScratchFolder("static-int8-cli");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Int8_with_npy_calibration_data_is_static_qdq_and_runs_close_to_float()
    {
        var input = ModelFiles.Write(_folder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var data = WriteCnnSamples("calib", count: 20);
        var outputPath = Path.Combine(_folder, "cnn.int8.onnx");

        var run = CliProcess.Run(input, "-o", outputPath, "-p", "int8", "--calibration-data", data);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("(int8 static, QDQ)", run.Stdout, StringComparison.Ordinal);
        // 4 of the 20 are held out for the default comparison with float (the collapse guard).
        Assert.Contains("Calibration: MinMax, 16 samples, ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("calibrating (16 samples, MinMax)", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("QNT1004", run.Stdout, StringComparison.Ordinal);
        var (model, _) = ModelReader.Load(outputPath);
        Assert.Contains(model.Graph.Node, n => n.OpType == "QuantizeLinear");
        Assert.Contains(model.Graph.Node, n => n.OpType == "DequantizeLinear");
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "DynamicQuantizeLinear");

        // Held-out inputs (seeds the calibration never saw). Tolerance: cosine ≥ 0.999 of the 10 logits
        // (measured 0.99999, max abs diff ≤ 0.0016 on logits of magnitude ~0.5, 2-core dev machine).
        foreach (var seed in Enumerable.Range(100, 5))
        {
            var feed = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(CnnSample(seed), CnnShape) };
            var expected = OrtRunner.Run(input, feed)["y"];
            var actual = OrtRunner.Run(outputPath, feed)["y"];
            double cosine = Similarity.Cosine(expected, actual);
            output.WriteLine($"seed {seed}: cosine {cosine:F5}, max abs diff {Similarity.MaxAbsDiff(expected, actual):G3}");
            Assert.True(cosine >= 0.999, $"seed {seed}: cosine {cosine}");
        }
    }

    [Fact]
    public void Ranges_cache_is_reused_for_the_same_data_and_method_and_recomputed_for_another_method()
    {
        var input = ModelFiles.Write(_folder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var data = WriteCnnSamples("calib", count: 16);
        var cache = Path.Combine(_folder, "cache", "cnn.ranges.json");
        string[] Args(string outputName, string method) =>
            [input, "-o", Path.Combine(_folder, outputName), "-p", "int8", "--calibration-data", data, "--ranges-cache", cache, "--calibration-method", method];

        var first = CliProcess.Run(Args("first.onnx", "minmax"));
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains($"Calibration: MinMax, 12 samples, ", first.Stdout, StringComparison.Ordinal);
        Assert.Contains($"ranges saved to {cache}", first.Stdout, StringComparison.Ordinal);
        var saved = File.ReadAllText(cache);

        var second = CliProcess.Run(Args("second.onnx", "minmax"));
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains($"Calibration: MinMax, 12 samples, reused ranges from {cache}", second.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("calibrating", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(saved, File.ReadAllText(cache));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_folder, "first.onnx")), File.ReadAllBytes(Path.Combine(_folder, "second.onnx")));

        var third = CliProcess.Run(Args("third.onnx", "percentile"));
        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.Contains("Calibration: Percentile 99.999", third.Stdout, StringComparison.Ordinal);
        Assert.Contains("calibrating (12 samples, Percentile)", third.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("reused", third.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"method\": \"Percentile 99.999", File.ReadAllText(cache), StringComparison.Ordinal);

        // Editing one calibration file changes the fingerprint: calibrate again.
        File.WriteAllBytes(Path.Combine(data, "sample-00.npy"), NpyWriter.Floats(CnnSample(999), CnnShape));
        var fourth = CliProcess.Run(Args("fourth.onnx", "percentile"));
        Assert.True(fourth.ExitCode == 0, fourth.ToString());
        Assert.DoesNotContain("reused", fourth.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Cross_layer_equalization_is_said_and_calibrates_anew_instead_of_reusing_the_default_ranges()
    {
        var input = ModelFiles.Write(_folder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var data = WriteCnnSamples("calib", count: 16);
        var cache = Path.Combine(_folder, "cache", "cnn.ranges.json");
        string[] Args(string outputName, params string[] more) =>
            [input, "-o", Path.Combine(_folder, outputName), "-p", "int8", "--calibration-data", data, "--ranges-cache", cache, .. more];

        var plain = CliProcess.Run(Args("plain.onnx"));
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.DoesNotContain("Cross-layer equalization", plain.Stdout, StringComparison.Ordinal);

        // conv1 → Relu → MaxPool → conv2 is the model's one pair. Its ranges differ, so the saved ones must not be reused.
        var equalized = CliProcess.Run(Args("equalized.onnx", "--cross-layer-equalization", "exact"));
        Assert.True(equalized.ExitCode == 0, equalized.ToString());
        Assert.Contains("Cross-layer equalization rescaled 1 Conv → Relu, LeakyRelu, pooling or nothing → Conv pair(s)", equalized.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("reused", equalized.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(_folder, "plain.onnx")), File.ReadAllBytes(Path.Combine(_folder, "equalized.onnx")));

        var unknown = CliProcess.Run(Args("x.onnx", "--cross-layer-equalization", "always"));
        Assert.True(unknown.ExitCode == 1, unknown.ToString());
        Assert.Contains("error QNT0009", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("none, exact or relu6", unknown.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "x.onnx")));
    }

    [Fact]
    public void Without_calibration_data_int8_stays_dynamic_and_static_options_are_said_to_be_ignored()
    {
        var input = ModelFiles.Write(_folder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var outputPath = Path.Combine(_folder, "cnn.int8.onnx");

        var run = CliProcess.Run(input, "-o", outputPath, "-p", "int8", "--calibration-method", "entropy", "--activation-type", "s8");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Note: --calibration-method, --activation-type apply only to static int8", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Calibration:", run.Stdout, StringComparison.Ordinal);
        var (model, _) = ModelReader.Load(outputPath);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "QuantizeLinear");
    }

    [Fact]
    public void An_unknown_calibration_method_is_QNT0009()
    {
        var input = ModelFiles.Write(_folder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var data = WriteCnnSamples("calib", count: 1);

        var run = CliProcess.Run(input, "-o", Path.Combine(_folder, "x.onnx"), "-p", "int8", "--calibration-data", data, "--calibration-method", "kl");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("error QNT0009", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "x.onnx")));
    }

    [Fact]
    public void Image_preprocessing_options_reach_the_calibrator()
    {
        var input = ModelFiles.Write(_folder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var photos = Directory.CreateDirectory(Path.Combine(_folder, "photos")).FullName;
        // Solid images of 32×32 resized to 16×16: every resize keeps the pixel values 0 and 255 exactly.
        for (int i = 0; i < 16; i++)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(32, 32, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            bitmap.Erase(i % 2 == 0 ? SKColors.Black : SKColors.White);
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(photos, $"photo-{i:D2}.png"), png.ToArray());
        }

        var cache = Path.Combine(_folder, "cnn.ranges.json");
        var run = CliProcess.Run(input, "-o", Path.Combine(_folder, "cnn.int8.onnx"), "-p", "int8", "--calibration-data", Path.Combine(photos, "*.png"),
            "--image-size", "16x16", "--resize", "crop", "--channel-order", "bgr", "--layout", "nchw", "--mean", "0.5,0.5,0.5", "--std", "0.25,0.25,0.25", "--ranges-cache", cache);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Calibration: MinMax, 12 samples, ", run.Stdout, StringComparison.Ordinal);
        // (0/255 − 0.5) / 0.25 = −2 and (255/255 − 0.5) / 0.25 = 2: the input range proves mean and std were applied.
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(cache));
        var x = json.RootElement.GetProperty("ranges").GetProperty("x");
        Assert.Equal(-2f, x.GetProperty("min").GetSingle(), 5);
        Assert.Equal(2f, x.GetProperty("max").GetSingle(), 5);
    }

    [Fact]
    public void An_empty_calibration_folder_fails_with_QNT0014_and_writes_nothing()
    {
        var input = ModelFiles.Write(_folder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var empty = Directory.CreateDirectory(Path.Combine(_folder, "empty")).FullName;
        var outputPath = Path.Combine(_folder, "out", "cnn.int8.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);

        var run = CliProcess.Run(input, "-o", outputPath, "-p", "int8", "--calibration-data", empty);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("error QNT0014", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(ModelFiles.Entries(Path.GetDirectoryName(outputPath)!));
    }

    [Fact]
    public void A_npy_of_the_wrong_shape_fails_with_QNT0016_and_writes_nothing()
    {
        var input = ModelFiles.Write(_folder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var data = Directory.CreateDirectory(Path.Combine(_folder, "wrong")).FullName;
        File.WriteAllBytes(Path.Combine(data, "a.npy"), NpyWriter.Floats(new float[3 * 8 * 8], [1, 3, 8, 8]));
        var outputPath = Path.Combine(_folder, "out", "cnn.int8.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);

        var run = CliProcess.Run(input, "-o", outputPath, "-p", "int8", "--calibration-data", data);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("error QNT0016", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(ModelFiles.Entries(Path.GetDirectoryName(outputPath)!));
    }

    [Fact]
    public void MiniLm_calibrated_from_a_text_file_is_a_quarter_of_the_size_and_reports_its_cosine()
    {
        var text = Path.Combine(_folder, "sentences.txt");
        File.WriteAllText(text, string.Join("\n", Sentences.All.Take(30)) + "\n", new UTF8Encoding(false));
        var outputPath = Path.Combine(_folder, "minilm.int8.onnx");

        var run = CliProcess.Run(RealModels.MiniLmPath, "-o", outputPath, "-p", "int8", "--calibration-data", text, "--vocab", RealModels.MiniLmVocabPath);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Calibration: MinMax, 24 samples, ", run.Stdout, StringComparison.Ordinal);
        double ratio = (double)new FileInfo(outputPath).Length / new FileInfo(RealModels.MiniLmPath).Length;
        var heldOut = Sentences.All.Skip(30).ToList();
        var cosine = MiniLmEmbedder.MeanCosine(MiniLmEmbedder.Embed(RealModels.MiniLmPath, heldOut), MiniLmEmbedder.Embed(outputPath, heldOut));
        output.WriteLine($"MiniLM static INT8 via the CLI (30 calibration sentences from a .txt file, MinMax): size {ratio:F4} of FP32, mean embedding cosine on 30 held-out sentences {cosine:F4}");
        output.WriteLine(run.Stdout);
        Assert.True(ratio <= 0.27, $"size ratio {ratio}");
        // The engine's own MiniLM static test measures 0.990 with exact ranges; the CLI must reach the bar.
        Assert.True(cosine >= 0.985, $"mean cosine {cosine}");
    }

    /// <summary>A smooth, deterministic image-like input: sums of sines whose phase depends on the seed.</summary>
    private static float[] CnnSample(int seed)
    {
        var values = new float[3 * 16 * 16];
        for (int i = 0; i < values.Length; i++)
        {
            int c = i / 256, y = i / 16 % 16, x = i % 16;
            values[i] = MathF.Sin((x * 0.4f) + (seed * 0.7f) + c) * MathF.Cos((y * 0.3f) - (seed * 0.45f)) + (0.1f * c);
        }

        return values;
    }

    private string WriteCnnSamples(string name, int count)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;
        for (int seed = 0; seed < count; seed++)
        {
            File.WriteAllBytes(Path.Combine(folder, $"sample-{seed:D2}.npy"), NpyWriter.Floats(CnnSample(seed), CnnShape));
        }

        return folder;
    }
}
