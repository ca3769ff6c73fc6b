using Google.Protobuf;
using Quantize.Runtime;
using Quantize.Testing;
using Quantize.Testing.TestModels;
using Xunit;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Generators.Tests;

/// <summary>
/// The generated wrapper, compiled and run for real: its outputs must equal what ONNX Runtime returns for
/// the same model run by hand (<see cref="OrtRunner"/>), through every entry point.
/// </summary>
public sealed class EndToEndTests
{
    private const int Batch = 3;

    // The app code: calls the generated Mlp wrapper the way a user would, returning plain arrays.
    private const string MlpApp = """
        using System;
        using System.Linq;
        using System.Threading.Tasks;

        namespace Tests.Models
        {
            internal static class Driver
            {
                public static float[] Run(float[] x, int batch)
                {
                    using var model = new Mlp();
                    using var result = model.Run(x, batch);
                    return result.Y.ToArray();
                }

                public static long[] Shape(float[] x, int batch)
                {
                    using var model = new Mlp();
                    using var result = model.Run(x, batch);
                    return result.YShape.ToArray();
                }

                public static (float[] Values, long[] Lengths, bool SameMemory) Tensor(float[] x, int batch)
                {
                    using var model = new Mlp();
                    using var result = model.Run(x, batch);
                    System.Numerics.Tensors.ReadOnlyTensorSpan<float> tensor = result.YTensor;
                    var values = new float[tensor.FlattenedLength];
                    tensor.FlattenTo(values);
                    var lengths = tensor.Lengths.ToArray().Select(l => (long)l).ToArray();
                    var same = System.Runtime.CompilerServices.Unsafe.AreSame(
                        ref System.Runtime.InteropServices.MemoryMarshal.GetReference(result.Y), ref System.Runtime.CompilerServices.Unsafe.AsRef(in tensor.GetPinnableReference()));
                    return (values, lengths, same);
                }

                public static float[] RunInto(float[] x, int batch)
                {
                    using var model = new Mlp();
                    var y = new float[batch * 10 + 5];
                    y[batch * 10] = 42f;
                    model.Run(x, y, batch);
                    if (y[batch * 10] != 42f) throw new InvalidOperationException("wrote past the output");
                    return y.AsSpan(0, batch * 10).ToArray();
                }

                public static float[] RunAsync(float[] x, int batch)
                {
                    using var model = new Mlp();
                    using var result = model.RunAsync(x, batch).GetAwaiter().GetResult();
                    return result.Y.ToArray();
                }

                public static float[] RunIntoAsync(float[] x, int batch)
                {
                    using var model = new Mlp();
                    var y = new float[batch * 10];
                    model.RunAsync(x, y, batch).GetAwaiter().GetResult();
                    return y;
                }

                public static (float[] First, float[] Second, long AllocatedBytes) Prepared(float[] x, float[] x2, int batch, int iterations)
                {
                    using var model = new Mlp();
                    var input = (float[])x.Clone();
                    var y = new float[batch * 10];
                    using var prepared = model.Prepare(input, y, batch);
                    prepared.Run();
                    var first = (float[])y.Clone();
                    x2.CopyTo(input, 0);
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < iterations; i++)
                    {
                        prepared.Run();
                    }

                    long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    return (first, (float[])y.Clone(), allocated);
                }

                public static float[][] Concurrent(float[][] inputs, int batch)
                {
                    using var model = new Mlp();
                    var outputs = new float[inputs.Length][];
                    Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
                    {
                        for (int repeat = 0; repeat < 5; repeat++)
                        {
                            using var result = model.Run(inputs[i], batch);
                            outputs[i] = result.Y.ToArray();
                        }
                    });
                    return outputs;
                }

                public static void RunWithLength(int length, int batch)
                {
                    using var model = new Mlp();
                    model.Run(new float[length], batch).Dispose();
                }

                public static string Describe() => string.Join("; ", Mlp.Model.Inputs.Concat(Mlp.Model.Outputs).Select(t => t.ToString())) + " | " + Mlp.Model.Precision + " " + Mlp.Model.BytesBefore;
            }
        }
        """;

    private static readonly byte[] MlpBytes = TestModelCatalog.Mlp().ToByteArray();

    private static readonly Lazy<System.Reflection.Assembly> EmbeddedMlp = new(() =>
        WrapperCompiler.Compile(MlpManifest("Tests.Models.Mlp.onnx", "Mlp.onnx"), MlpApp, "Tests.Models.Mlp.onnx", MlpBytes));

    private static string MlpManifest(string? resourceName, string modelFileName, bool usesOrtExtensions = false) => $$"""
        {
          "schemaVersion": 1,
          "className": "Mlp",
          "namespace": "Tests.Models",
          "precision": "Fp16",
          "resourceName": {{(resourceName is null ? "null" : $"\"{resourceName}\"")}},
          "modelFileName": "{{modelFileName.Replace("\\", "\\\\", StringComparison.Ordinal)}}",
          "sourceFile": "models/mlp.onnx",
          "sourceSha256": "{{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(MlpBytes))}}",
          "outputSha256": "{{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(MlpBytes))}}",
          "bytesBefore": {{MlpBytes.Length}},
          "bytesAfter": {{MlpBytes.Length}},
          "usesOrtExtensions": {{(usesOrtExtensions ? "true" : "false")}},
          "inputs": [ { "name": "x", "elementType": "float", "shape": ["batch", 64] } ],
          "outputs": [ { "name": "y", "elementType": "float", "shape": ["batch", 10] } ]
        }
        """;

    private static float[] Input(int seed) => [.. Enumerable.Range(0, Batch * 64).Select(i => MathF.Sin((i * 0.37f) + seed))];

    private static float[] Expected(float[] x) =>
        OrtRunner.Run(TestModelCatalog.Mlp(), new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(x, Batch, 64) })["y"];

    [Fact]
    public void Run_from_the_embedded_resource_equals_onnx_runtime_run_by_hand()
    {
        var x = Input(1);
        var actual = (float[])WrapperCompiler.Call(EmbeddedMlp.Value, "Tests.Models.Driver", "Run", x, Batch)!;

        Assert.Equal(Expected(x), actual);
        Assert.Equal([Batch, 10L], (long[])WrapperCompiler.Call(EmbeddedMlp.Value, "Tests.Models.Driver", "Shape", x, Batch)!);
    }

    [Fact]
    public void The_tensor_span_result_is_the_span_and_shape_over_the_same_memory()
    {
        var x = Input(5);
        var (values, lengths, same) = ((float[], long[], bool))WrapperCompiler.Call(EmbeddedMlp.Value, "Tests.Models.Driver", "Tensor", x, Batch)!;

        Assert.Equal(Expected(x), values);
        Assert.Equal([Batch, 10L], lengths);
        Assert.True(same, "the tensor span copied the output");
    }

    [Fact]
    public void Run_into_caller_buffers_equals_onnx_runtime_and_writes_only_the_output_prefix()
    {
        var x = Input(2);
        Assert.Equal(Expected(x), (float[])WrapperCompiler.Call(EmbeddedMlp.Value, "Tests.Models.Driver", "RunInto", x, Batch)!);
    }

    [Fact]
    public void RunAsync_both_forms_equal_onnx_runtime()
    {
        var x = Input(3);
        Assert.Equal(Expected(x), (float[])WrapperCompiler.Call(EmbeddedMlp.Value, "Tests.Models.Driver", "RunAsync", x, Batch)!);
        Assert.Equal(Expected(x), (float[])WrapperCompiler.Call(EmbeddedMlp.Value, "Tests.Models.Driver", "RunIntoAsync", x, Batch)!);
    }

    [Fact]
    public void Prepared_run_reads_new_input_from_the_bound_buffer_and_allocates_nothing_per_call()
    {
        var x = Input(4);
        var x2 = Input(5);
        var (first, second, allocated) = ((float[], float[], long))WrapperCompiler.Call(EmbeddedMlp.Value, "Tests.Models.Driver", "Prepared", x, x2, Batch, 200)!;

        Assert.Equal(Expected(x), first);
        Assert.Equal(Expected(x2), second);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Concurrent_runs_on_one_instance_each_get_their_own_correct_outputs()
    {
        var inputs = Enumerable.Range(10, 8).Select(Input).ToArray();
        var outputs = (float[][])WrapperCompiler.Call(EmbeddedMlp.Value, "Tests.Models.Driver", "Concurrent", inputs, Batch)!;

        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(Expected(inputs[i]), outputs[i]);
        }
    }

    [Fact]
    public void Wrong_buffer_length_throws_naming_the_tensor_the_expected_shape_and_the_actual_length()
    {
        var e = Assert.Throws<TensorShapeException>(() => WrapperCompiler.Call(EmbeddedMlp.Value, "Tests.Models.Driver", "RunWithLength", 100, 2));

        Assert.Equal("x", e.TensorName);
        Assert.Equal("Tensor 'x' expects shape [batch=2, 64] (128 elements), but the buffer holds 100 elements. (Parameter 'x')", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => WrapperCompiler.Call(EmbeddedMlp.Value, "Tests.Models.Driver", "RunWithLength", 0, -1));
    }

    [Fact]
    public void Static_model_info_reflects_the_manifest()
    {
        Assert.Equal($"x: Float[batch, 64]; y: Float[batch, 10] | Fp16 {MlpBytes.Length}", WrapperCompiler.Call(EmbeddedMlp.Value, "Tests.Models.Driver", "Describe"));
    }

    [Fact]
    public void Model_file_beside_the_application_loads_when_not_embedded()
    {
        var fileName = $"quantize-gen-test-{Guid.NewGuid():N}.onnx";
        var path = Path.Combine(AppContext.BaseDirectory, fileName);
        File.WriteAllBytes(path, MlpBytes);
        try
        {
            var assembly = WrapperCompiler.Compile(MlpManifest(null, fileName), MlpApp);
            var x = Input(6);
            Assert.Equal(Expected(x), (float[])WrapperCompiler.Call(assembly, "Tests.Models.Driver", "Run", x, Batch)!);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_resource_names_the_resource_and_the_assembly()
    {
        var assembly = WrapperCompiler.Compile(MlpManifest("Not.There.onnx", "Mlp.onnx"), MlpApp);

        var e = Assert.Throws<FileNotFoundException>(() => WrapperCompiler.Call(assembly, "Tests.Models.Driver", "Run", Input(0), Batch));
        Assert.Contains("'Not.There.onnx'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_needing_ort_extensions_without_the_package_fails_naming_the_package()
    {
        // This test project does not reference Microsoft.ML.OnnxRuntime.Extensions: the real missing-package case.
        var assembly = WrapperCompiler.Compile(MlpManifest("Tests.Models.Mlp.onnx", "Mlp.onnx", usesOrtExtensions: true), MlpApp, "Tests.Models.Mlp.onnx", MlpBytes);

        var e = Assert.Throws<OrtExtensionsMissingException>(() => WrapperCompiler.Call(assembly, "Tests.Models.Driver", "Run", Input(0), Batch));
        Assert.Contains("Microsoft.ML.OnnxRuntime.Extensions", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Half_and_string_tensors_bind_and_read_back_through_the_wrapper()
    {
        // h (float16) → Add(h, h); words (string) → Identity. Half is bound by pointer as ONNX float16.
        var b = new ModelBuilder(17);
        var h = b.Input("h", DataType.Float16, "n");
        var words = b.Input("words", DataType.String, "n");
        b.Node("Add", [h, h], "double_h", "h2");
        b.Node("Identity", [words], "copy_words", "words_out");
        b.Output("h2", DataType.Float16, "n");
        b.Output("words_out", DataType.String, "n");
        var bytes = b.Model.ToByteArray();
        const string manifest = """
            {
              "schemaVersion": 1, "className": "Mixed", "namespace": "Tests.Models", "precision": "Fp16",
              "resourceName": "Tests.Models.Mixed.onnx", "modelFileName": "Mixed.onnx", "sourceFile": "mixed.onnx",
              "sourceSha256": "00", "outputSha256": "00", "bytesBefore": 1, "bytesAfter": 1,
              "inputs": [
                { "name": "h", "elementType": "float16", "shape": ["n"] },
                { "name": "words", "elementType": "string", "shape": ["n"] }
              ],
              "outputs": [
                { "name": "h2", "elementType": "float16", "shape": ["n"] },
                { "name": "words_out", "elementType": "string", "shape": ["n"] }
              ]
            }
            """;
        const string app = """
            using System;
            using System.Linq;
            namespace Tests.Models
            {
                internal static class MixedDriver
                {
                    public static (float[] Doubled, string[] Words) Run(float[] h, string[] words)
                    {
                        using var model = new Mixed();
                        var halves = h.Select(v => (Half)v).ToArray();
                        using var result = model.Run(halves, words, h.Length);
                        return (result.H2.ToArray().Select(v => (float)v).ToArray(), result.WordsOut.ToArray());
                    }
                }
            }
            """;
        var assembly = WrapperCompiler.Compile(manifest, app, "Tests.Models.Mixed.onnx", bytes);

        var (doubled, echoed) = ((float[], string[]))WrapperCompiler.Call(assembly, "Tests.Models.MixedDriver", "Run", new[] { 0.5f, -1.25f, 3f, 1024f }, new[] { "héllo", "", "wörld ✓", "x" })!;

        Assert.Equal([1f, -2.5f, 6f, 2048f], doubled);
        Assert.Equal(["héllo", "", "wörld ✓", "x"], echoed);
    }
}
