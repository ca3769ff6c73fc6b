using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Xunit.Abstractions;

namespace Quantize.Core.Tests.Int4;

/// <summary>
/// HQQ, GPTQ and AWQ on all-MiniLM-L6-v2 (issue 12's INT4 methods): GPTQ and AWQ calibrated on the first 30 of the 60
/// real sentences, judged by mean-pooled sentence embeddings against the float model on the 30 they never saw; HQQ,
/// data-free, on all 60, symmetric and asymmetric; side by side with round-to-nearest at the same settings in one run. The must-reach figures (mean cosine ≥ 0.985 over the 60, block
/// 32) are reported in docs/measured-results.md; the test holds each method to beating round-to-nearest on the
/// held-out sentences.
/// </summary>
public class Int4MethodsMiniLmTests(ITestOutputHelper output)
{
    private static readonly Lazy<float[][]> FloatEmbeddings = new(() => MiniLmEmbedder.Embed(RealModels.MiniLmPath, Sentences.All));

    [Theory]
    [InlineData(32, true)]
    public void Hqq_gptq_and_awq_beat_round_to_nearest_on_sentences_they_did_not_calibrate_on(int? blockSize, bool symmetric)
    {
        var folder = RealModels.ScratchFolder("int4-methods-minilm");
        var calibration = Path.Combine(folder, "calibration.txt");
        File.WriteAllLines(calibration, Sentences.All.Take(30));
        var options = new QuantizeOptions { Precision = Precision.Int4, BlockSize = blockSize, Symmetric = symmetric };
        var setup = new CalibrationSetup(new CalibrationDataOptions { Sources = [calibration], Text = new TextTokenization { VocabularyPath = RealModels.MiniLmVocabPath } }, new CalibrationOptions());

        QuantizeResult Quantize(string file, QuantizeOptions with, bool calibrated = false) => Quantizer.Run(new QuantizeJob
        {
            InputPath = RealModels.MiniLmPath,
            OutputPath = Path.Combine(folder, file),
            Options = with,
            Calibration = calibrated ? setup : null,
        });
        (double All, double HeldOut) Run(string file, string method, QuantizeOptions with, bool calibrated = false) =>
            Measure(Quantize(file, with, calibrated), Path.Combine(folder, file), method, blockSize);

        var rtn = Run("rtn.onnx", "RTN", options);
        var hqq = Run("hqq.onnx", "HQQ", options with { Int4Method = Int4Method.Hqq });
        var hqqAsymmetric = Run("hqq-asymmetric.onnx", "HQQ asymmetric", options with { Int4Method = Int4Method.Hqq, Symmetric = false });
        var rtnAsymmetric = Run("rtn-asymmetric.onnx", "RTN asymmetric", options with { Symmetric = false });
        var gptqResult = Quantize("gptq.onnx", options with { Int4Method = Int4Method.Gptq }, calibrated: true);
        var gptq = Measure(gptqResult, Path.Combine(folder, "gptq.onnx"), "GPTQ (act-order, the default)", blockSize);
        var gptqNaturalOrder = Run("gptq-natural-order.onnx", "GPTQ natural order", options with { Int4Method = Int4Method.Gptq, GptqActOrder = false }, calibrated: true);
        var awqResult = Quantize("awq.onnx", options with { Int4Method = Int4Method.Awq }, calibrated: true);
        var awq = Measure(awqResult, Path.Combine(folder, "awq.onnx"), "AWQ", blockSize);
        var awqAsymmetric = Run("awq-asymmetric.onnx", "AWQ asymmetric", options with { Int4Method = Int4Method.Awq, Symmetric = false }, calibrated: true);
        var gptqAsymmetric = Run("gptq-asymmetric.onnx", "GPTQ asymmetric (act-order)", options with { Int4Method = Int4Method.Gptq, Symmetric = false }, calibrated: true);

        // HQQ is data-free: every sentence is unseen, so it is held to round-to-nearest's figure over all 60.
        Assert.True(hqq.All > rtn.All, $"HQQ {hqq.All:F4} vs RTN {rtn.All:F4}");
        Assert.True(hqqAsymmetric.All > rtnAsymmetric.All, $"asymmetric HQQ {hqqAsymmetric.All:F4} vs RTN {rtnAsymmetric.All:F4}");
        Assert.Equal(30, gptqResult.Calibration!.SampleCount);
        Assert.Equal(30, awqResult.Calibration!.SampleCount);
        Assert.True(gptq.HeldOut > rtn.HeldOut, $"GPTQ {gptq.HeldOut:F4} vs RTN {rtn.HeldOut:F4} on held-out sentences");
        Assert.True(gptqNaturalOrder.HeldOut > rtn.HeldOut, $"GPTQ in natural order {gptqNaturalOrder.HeldOut:F4} vs RTN {rtn.HeldOut:F4} on held-out sentences");
        Assert.True(awq.HeldOut > rtn.HeldOut, $"AWQ {awq.HeldOut:F4} vs RTN {rtn.HeldOut:F4} on held-out sentences");
        Assert.True(awqAsymmetric.HeldOut > rtnAsymmetric.HeldOut, $"asymmetric AWQ {awqAsymmetric.HeldOut:F4} vs RTN {rtnAsymmetric.HeldOut:F4} on held-out sentences");
        Assert.True(gptqAsymmetric.HeldOut > rtnAsymmetric.HeldOut, $"asymmetric GPTQ {gptqAsymmetric.HeldOut:F4} vs RTN {rtnAsymmetric.HeldOut:F4} on held-out sentences");
        foreach (var name in new[] { "hqq.onnx", "gptq.onnx", "gptq-natural-order.onnx", "awq.onnx", "awq-asymmetric.onnx", "gptq-asymmetric.onnx" })
        {
            Assert.InRange(new FileInfo(Path.Combine(folder, name)).Length / (double)new FileInfo(RealModels.MiniLmPath).Length, 0, 0.20);
        }
    }

    private (double All, double HeldOut) Measure(QuantizeResult result, string path, string method, int? blockSize)
    {
        var cosines = FloatEmbeddings.Value.Zip(MiniLmEmbedder.Embed(path, Sentences.All), (e, a) => Similarity.Cosine(e, a)).ToList();
        double all = cosines.Average(), heldOut = cosines.Skip(30).Average();
        output.WriteLine($"{method} block {blockSize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "auto"}: mean cosine over 60 {all:F4} (min {cosines.Min():F4}), over the 30 held out {heldOut:F4}; size {new FileInfo(path).Length / (double)new FileInfo(RealModels.MiniLmPath).Length:F3}; {result.Elapsed.TotalSeconds:F1} s");
        return (all, heldOut);
    }
}
