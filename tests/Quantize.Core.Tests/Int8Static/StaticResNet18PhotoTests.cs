using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Tests.Evaluation;
using Xunit.Abstractions;
using static Quantize.Core.Tests.Int8Static.StaticHarness;

namespace Quantize.Core.Tests.Int8Static;

/// <summary>
/// ResNet-18 calibrated from real photographs (preprocessed as ML.NET feeds it, see
/// <see cref="ResNet18Preprocessing.MlNet"/>) through the public front door (<see cref="CalibratedQuantizer"/>
/// with image files and declared preprocessing), evaluated on other photographs against the float model.
/// </summary>
public class StaticResNet18PhotoTests(ITestOutputHelper output)
{
    [Fact]
    public void ResNet18_calibrated_on_photos_keeps_its_features_on_other_photos_at_a_quarter_of_the_size()
    {
        // Alternate the sorted photos so both halves mix colour and grey, camera and microscope images.
        var photos = RealPhotos.All;
        var calibration = photos.Where((_, i) => i % 2 == 0).ToList();
        var heldOut = photos.Where((_, i) => i % 2 == 1).ToList();
        var folder = RealModels.ScratchFolder("resnet18-photos");
        var outputPath = Path.Combine(folder, "resnet18.int8.onnx");

        var result = CheckedRun.Calibrated(RealModels.ResNet18Path, outputPath, new QuantizeOptions { Precision = Precision.Int8 },
            new CalibrationDataOptions { Sources = calibration, Image = ResNet18Preprocessing.MlNet }, new CalibrationOptions());
        double ratio = (double)result.BytesAfter / result.BytesBefore;

        var (model, _) = Onnx.ModelReader.Load(RealModels.ResNet18Path);
        var samples = new CalibrationDataReader(model, new CalibrationDataOptions { Sources = heldOut, Image = ResNet18Preprocessing.MlNet }).Read().ToList();
        Assert.Equal(heldOut.Count, samples.Count);
        var cosines = new List<double>();
        using (var floatSession = OrtRunner.Open(RealModels.ResNet18Path))
        using (var quantizedSession = OrtRunner.Open(outputPath))
        {
            foreach (var sample in samples)
            {
                var inputs = sample.Inputs.ToDictionary(p => p.Key, p => new OrtRunner.Input(p.Value.FloatSpan.ToArray(), [.. p.Value.Shape]));
                var expected = OrtRunner.Run(floatSession, inputs);
                var actual = OrtRunner.Run(quantizedSession, inputs);
                cosines.AddRange(expected.Select(e => Similarity.Cosine(e.Value, actual[e.Key])));
            }
        }

        var optimized = Int8.Int8FusionTests.Optimize(outputPath);
        int convs = Count(Passes.Int8Static.StaticPreprocessor.Optimize(RealModels.ResNet18Path, new StaticInt8Options()), "Conv");
        int fused = Count(optimized, "QLinearConv");
        double median = cosines.Order().ElementAt(cosines.Count / 2);
        output.WriteLine($"ResNet-18 static INT8 ({calibration.Count} calibration photos, {result.Calibration?.Method}): size {ratio:F4} of FP32; feature cosine on {heldOut.Count} held-out photos median {median:F5}, min {cosines.Min():F5}; {fused} of {convs} Conv fused; quantized in {result.Elapsed.TotalSeconds:F1} s");
        output.WriteLine("held-out: " + string.Join(", ", heldOut.Select(Path.GetFileName).Zip(cosines, (n, c) => $"{n} {c:F4}")));
        output.WriteLine(string.Join(Environment.NewLine, result.Warnings.Select(w => w.ToString())));

        Assert.True(ratio <= 0.27, $"size ratio {ratio}");
        Assert.Equal(convs, fused);
        // Nothing ONNX Runtime would warn about on every load of the app: no unread initializer, no stale value_info.
        Assert.Empty(GraphHelpers.UnusedDefinitionsTests.Leftovers(Onnx.ModelReader.Load(outputPath).Model));
        Assert.True(median >= 0.98, $"median cosine {median}");
    }

    [Fact]
    public void The_declared_preprocessing_gives_the_features_MLNet_preprocess_model_gives()
    {
        // ML.NET feeds ResNet-18 through ResNetPreprocess.onnx (same package) from raw 0..255 RGB planes;
        // our per-channel declaration must land on (nearly) the same features, and RGB order must not.
        var prep = Path.Combine(Path.GetDirectoryName(RealModels.ResNet18Path)!, "..", "ResNetPrepOnnx", "ResNetPreprocess.onnx");
        var (model, _) = Onnx.ModelReader.Load(RealModels.ResNet18Path);
        var photos = RealPhotos.All.Where((_, i) => i % 2 == 1).ToList();
        var raw = ResNet18Preprocessing.MlNet with { Channels = ChannelOrder.Rgb, Mean = [0f, 0f, 0f] };
        var rgbOrder = ResNet18Preprocessing.MlNet with { Channels = ChannelOrder.Rgb, Mean = [123.15f, 115.90f, 103.06f] };
        var (inputName, _) = Fp16.Fp16RealModelTests.ImageInput(RealModels.ResNet18Path);
        var ours = new List<double>();
        var swapped = new List<double>();
        using var prepSession = OrtRunner.Open(prep);
        using var session = OrtRunner.Open(RealModels.ResNet18Path);
        foreach (var photo in photos)
        {
            var prepared = OrtRunner.Run(prepSession, new Dictionary<string, OrtRunner.Input> { ["OriginalInput"] = Tensor(model, photo, raw).Single().Value });
            var reference = Features(session, inputName, prepared.Single().Value);
            ours.Add(Similarity.Cosine(reference, Features(session, inputName, (float[])Tensor(model, photo, ResNet18Preprocessing.MlNet)[inputName].Data)));
            swapped.Add(Similarity.Cosine(reference, Features(session, inputName, (float[])Tensor(model, photo, rgbOrder)[inputName].Data)));
        }

        output.WriteLine($"features vs ML.NET's preprocessing, {photos.Count} photos: declared BGR per-channel mean min cosine {ours.Min():F5}; RGB order min {swapped.Min():F5}");
        // Per-channel means differ from the mean image by at most ~13 grey levels.
        Assert.True(ours.Min() >= 0.99, $"min cosine {ours.Min()}");
        Assert.True(swapped.Min() < ours.Min(), $"RGB order {swapped.Min()} vs BGR {ours.Min()}");
    }

    private static Dictionary<string, OrtRunner.Input> Tensor(Onnx.ModelProto model, string photo, ImagePreprocessing preprocessing) =>
        new CalibrationDataReader(model, new CalibrationDataOptions { Sources = [photo], Image = preprocessing }).Read().Single().Inputs
            .ToDictionary(p => p.Key, p => new OrtRunner.Input(p.Value.FloatSpan.ToArray(), [.. p.Value.Shape]));

    private static float[] Features(Microsoft.ML.OnnxRuntime.InferenceSession session, string inputName, float[] image) =>
        OrtRunner.Run(session, new Dictionary<string, OrtRunner.Input> { [inputName] = new(image, [1, 3, 224, 224]) }).Single().Value;
}
