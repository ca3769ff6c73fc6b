using Microsoft.ML.Tokenizers;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Onnx;

namespace Quantize.Core.Tests.Calibration;

public sealed class RealModelCalibrationTests
{
    [Fact]
    public void MiniLM_calibrated_from_a_text_file_observes_every_float_activation_with_exact_extremes()
    {
        var folder = RealModels.ScratchFolder("minilm-text");
        var sentences = Sentences.All.Take(6).ToList();
        File.WriteAllLines(Path.Combine(folder, "calibration.txt"), sentences);
        var (model, _) = ModelReader.Load(RealModels.MiniLmPath);
        var reader = new CalibrationDataReader(model, new CalibrationDataOptions
        {
            Sources = ["calibration.txt"],
            BaseDirectory = folder,
            Text = new TextTokenization { VocabularyPath = RealModels.MiniLmVocabPath },
        });

        var outcome = ActivationCalibrator.Calibrate(model, RealModels.MiniLmPath, reader.Read(), new CalibrationOptions());

        Assert.Equal(6, outcome.SampleCount);
        var types = RuntimeTypeInference.Infer(model, RealModels.MiniLmPath);
        var floatActivations = model.Graph.Node.Where(n => n.OpType != "Constant").SelectMany(n => n.Output)
            .Where(o => types.TryGetValue(o, out var t) && t == TensorProto.Types.DataType.Float).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(floatActivations.Order(StringComparer.Ordinal), outcome.Ranges.Ranges.Keys);

        // Reference: the unmodified model's own output over the same sentences, reduced by hand.
        var tokenizer = BertTokenizer.Create(RealModels.MiniLmVocabPath);
        float min = float.PositiveInfinity;
        float max = float.NegativeInfinity;
        using var session = OrtRunner.Open(RealModels.MiniLmPath);
        foreach (var sentence in sentences)
        {
            var ids = tokenizer.EncodeToIds(sentence).Select(i => (long)i).ToArray();
            var shape = new long[] { 1, ids.Length };
            var hidden = OrtRunner.Run(session, new Dictionary<string, OrtRunner.Input>
            {
                ["input_ids"] = new(ids, shape),
                ["attention_mask"] = new(Enumerable.Repeat(1L, ids.Length).ToArray(), shape),
                ["token_type_ids"] = new(new long[ids.Length], shape),
            })["last_hidden_state"];
            min = Math.Min(min, hidden.Min());
            max = Math.Max(max, hidden.Max());
        }

        Assert.True(outcome.Ranges.TryGet("last_hidden_state", out var range));
        Assert.Equal(min, range.Min, 4);
        Assert.Equal(max, range.Max, 4);
    }
}
