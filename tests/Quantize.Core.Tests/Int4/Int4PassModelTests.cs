using Xunit.Abstractions;
using static Quantize.Core.Tests.Int4.Int4Harness;

namespace Quantize.Core.Tests.Int4;

public class Int4PassModelTests(ITestOutputHelper output)
{
    private void Report(Dictionary<string, double> errors)
    {
        foreach (var (name, error) in errors)
        {
            output.WriteLine($"{name}: relative RMS error {error:F4}");
        }
    }

    [Fact]
    public void Mlp()
    {
        var outcome = Run(TestModelCatalog.Mlp(), Options());
        var errors = RelativeErrors(outcome, new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(RandomFloats(3 * 64, 1), 3, 64) });
        Report(errors);
    }

    [Fact]
    public void Attention()
    {
        var outcome = Run(TestModelCatalog.AttentionBlock(), Options());
        var errors = RelativeErrors(outcome, new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(RandomFloats(2 * 5 * 32, 2), 2, 5, 32) });
        Report(errors);
    }

    [Fact]
    public void Embedding()
    {
        var outcome = Run(TestModelCatalog.Embedding(), Options());
        var ids = Enumerable.Range(0, 14).Select(i => (long)((i * 37) % 500)).ToArray();
        var errors = RelativeErrors(outcome, new Dictionary<string, OrtRunner.Input> { ["ids"] = new(ids, [2, 7]) });
        Report(errors);
    }
}
