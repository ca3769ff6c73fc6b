using Google.Protobuf;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Evaluation;
using Quantize.Testing.TestModels;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Evaluation;

/// <summary>
/// Which models the speed check treats as decoders, and the inputs it makes up for them: ONNX Runtime must accept them
/// and return the present tensors the cache convention promises (past + new tokens long).
/// </summary>
public sealed class DecoderSignatureTests
{
    [Fact]
    public void The_test_decoder_is_recognized_and_its_made_up_inputs_run()
    {
        var shape = DecoderShape.Tiny;
        var model = DecoderTestModels.Llama(shape);

        var decoder = DecoderSignature.Find(ModelInput.Of(model));

        Assert.Equal(new DecoderSignature(shape.Layers, shape.KvHeads, shape.HeadWidth, DataType.Float, HasPositionIds: true), decoder);
        var folder = RealModels.ScratchFolder("decoder-signature");
        var path = Path.Combine(folder, "decoder.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        using var session = OrtRunner.Open(path);
        foreach (var (inputs, tokens, total) in new[] { (decoder!.Prefill(12), 12, 12), (decoder.Decode(20), 1, 21) })
        {
            var outputs = OrtRunner.Run(session, inputs.ToDictionary(i => i.Key, i => ToInput(i.Value)));
            Assert.Equal(tokens * shape.Vocabulary, outputs["logits"].Length);
            Assert.Equal(shape.KvHeads * total * shape.HeadWidth, outputs["present.1.value"].Length);
        }
    }

    [Theory]
    [InlineData("attention_mask")]
    [InlineData("past_key_values.1.value")]
    public void A_model_missing_part_of_the_convention_is_not_a_decoder(string missing)
    {
        var model = DecoderTestModels.Llama(DecoderShape.Tiny);
        var inputs = ModelInput.Of(model).Where(i => i.Name != missing).ToList();

        Assert.Null(DecoderSignature.Find(inputs));
    }

    [Fact]
    public void An_input_the_convention_does_not_know_makes_it_no_decoder()
    {
        var inputs = ModelInput.Of(DecoderTestModels.Llama(DecoderShape.Tiny)).Append(new ModelInput("token_type_ids", DataType.Int64, [null, null])).ToList();

        Assert.Null(DecoderSignature.Find(inputs));
    }

    private static OrtRunner.Input ToInput(CalibrationTensor tensor) => tensor.ElementType == DataType.Int64
        ? new(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(tensor.Data.Span).ToArray(), [.. tensor.Shape])
        : new(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.Data.Span).ToArray(), [.. tensor.Shape]);
}
