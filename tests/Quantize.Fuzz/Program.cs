using Google.Protobuf;
using Quantize.Core;
using Quantize.Core.Diagnostics;
using Quantize.Core.Inspection;
using Quantize.Testing.TestModels;
using SharpFuzz;

// `Quantize.Fuzz seeds DIR` writes the starting corpus (the test catalog's small models); without arguments it is the
// AFL target: each input is a model file, inspected and quantized to every precision. A QuantizeException with a
// specific code is an expected outcome; anything else escaping (or QNT9999) is a crash AFL records.
if (args is ["seeds", var folder])
{
    Directory.CreateDirectory(folder);
    foreach (var (name, model) in new[]
    {
        ("mlp", TestModelCatalog.Mlp()), ("cnn", TestModelCatalog.SmallCnn()), ("constant-if", TestModelCatalog.ConstantAndIf()),
        ("islands", TestModelCatalog.Float32Islands()), ("loop", TestModelCatalog.LoopOverOuterOutput()), ("unsorted", TestModelCatalog.NonTopological()),
    })
    {
        File.WriteAllBytes(Path.Combine(folder, name + ".onnx"), model.ToByteArray());
    }

    return;
}

var work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"quantize-fuzz-{Environment.ProcessId}")).FullName;
var input = Path.Combine(work, "input.onnx");
var output = Path.Combine(work, "output.onnx");
Fuzzer.OutOfProcess.Run(stream =>
{
    using (var file = File.Create(input))
    {
        stream.CopyTo(file);
    }

    Expect(() => ModelInspector.Inspect(input));
    foreach (var precision in new[] { Precision.Fp16, Precision.Bf16, Precision.Int8, Precision.Int4 })
    {
        Expect(() => QuantizeEngine.Quantize(input, output, new QuantizeOptions { Precision = precision }, verifyOutput: false));
    }
});

static void Expect(Action work)
{
    try
    {
        work();
    }
    catch (QuantizeException ex) when (ex.Code != ErrorCodes.InternalError)
    {
        // A specific QNT code: the outcome bad input must have.
    }
}
