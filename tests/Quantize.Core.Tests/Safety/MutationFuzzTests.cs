using System.Diagnostics;
using Google.Protobuf;
using Quantize.Core.Diagnostics;
using Quantize.Core.Inspection;
using Xunit.Abstractions;

namespace Quantize.Core.Tests.Safety;

/// <summary>
/// A bounded, seeded mutation fuzz of the engine's front door: bit flips over the small models of the test
/// catalog (MLP, CNN, Constant/If and Loop subgraphs, float32 islands, unsorted nodes), each mutant inspected and quantized to every precision. Every outcome must be a
/// success or a <see cref="QuantizeException"/> with a specific code (never <see cref="ErrorCodes.InternalError"/>),
/// and a failure must leave no output behind. Anything else (an unexpected exception type) is what the CLI would report
/// as QNT9999: a defect. The seed is fixed, so a failure reproduces; the budget bounds the run on slow machines.
/// The opt-in SharpFuzz harness (README "Security and reliability") searches far deeper.
/// </summary>
public sealed class MutationFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Mutants = 1200;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(90);
    private static readonly Precision[] Precisions = [Precision.Int8, Precision.Fp16, Precision.Int4, Precision.Bf16];

    private readonly string _folder = RealModels.ScratchFolder("mutation-fuzz");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Bit_flipped_models_fail_with_a_specific_code_or_succeed_and_never_leave_a_partial_output()
    {
        // Models whose bytes are mostly structure (few weights), so most flips hit graph, node and tensor fields.
        byte[][] seeds =
        [
            .. new[] { TestModelCatalog.Mlp(), TestModelCatalog.SmallCnn(), TestModelCatalog.ConstantAndIf(), TestModelCatalog.Float32Islands(),
                TestModelCatalog.LoopOverOuterOutput(), TestModelCatalog.NonTopological(), TestModelCatalog.Identity(1, 4) }
            .Select(m => m.ToByteArray()),
        ];
        var random = new Random(20261201);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var defects = new List<string>();
        var clock = Stopwatch.StartNew();
        int tried = 0;
        for (; tried < Mutants && clock.Elapsed < Budget; tried++)
        {
            var bytes = (byte[])seeds[tried % seeds.Length].Clone();
            int flips = 1 + random.Next(4);
            for (int f = 0; f < flips; f++)
            {
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            }

            var input = Path.Combine(_folder, $"mutant{tried}.onnx");
            var outputPath = Path.Combine(_folder, $"mutant{tried}.out.onnx");
            File.WriteAllBytes(input, bytes);
            var precision = Precisions[(tried / seeds.Length) % Precisions.Length];
            foreach (var (what, work) in new (string, Action)[]
            {
                ("inspect", () => ModelInspector.Inspect(input)),
                ($"quantize {precision}", () => QuantizeEngine.Quantize(input, outputPath, new QuantizeOptions { Precision = precision })),
            })
            {
                string outcome;
                try
                {
                    work();
                    outcome = "ok";
                }
                catch (QuantizeException ex)
                {
                    outcome = ex.Code;
                    if (ex.Code == ErrorCodes.InternalError || File.Exists(outputPath))
                    {
                        defects.Add($"mutant {tried} ({what}): {ex.Code} {ex.Message}{(File.Exists(outputPath) ? " [output left behind]" : "")}");
                    }
                }
                catch (Exception ex)
                {
                    outcome = ex.GetType().Name;
                    defects.Add($"mutant {tried} ({what}): {ex.GetType().Name}: {ex.Message}");
                }

                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }

            File.Delete(input);
            File.Delete(outputPath);
        }

        output.WriteLine($"{tried} mutants in {clock.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"))}");
        Assert.True(tried >= 100, $"only {tried} mutants fit in the budget");
        Assert.True(defects.Count == 0, string.Join("\n", defects));
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }
}
