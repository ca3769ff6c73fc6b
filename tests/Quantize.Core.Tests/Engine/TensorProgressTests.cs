using Quantize.Core.Passes;

namespace Quantize.Core.Tests.Engine;

/// <summary>Progress through a pass's weights: what it says, and that the last weight (the phase's end) says nothing.</summary>
public sealed class TensorProgressTests
{
    [Fact]
    public void Each_report_names_the_weight_its_rank_and_an_estimate_and_the_last_is_silent()
    {
        var lines = new List<string>();
        var progress = new TensorProgress(new Recorder(lines), "quantizing to Int4", count: 3, totalBytes: 300, interval: TimeSpan.Zero);

        progress.Done("a", 100);
        progress.Done("b", 100);
        progress.Done("c", 100);

        Assert.Equal(2, lines.Count);
        Assert.Matches(@"^quantizing to Int4: weight 1 of 3 \(a\), about \d+ s left$", lines[0]);
        Assert.StartsWith("quantizing to Int4: weight 2 of 3 (b)", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_run_reports_nothing()
    {
        var lines = new List<string>();
        var progress = new TensorProgress(new Recorder(lines), "quantizing to Int4", count: 3, totalBytes: 300);

        progress.Done("a", 100);
        progress.Done("b", 100);

        Assert.Empty(lines);
    }

    /// <summary>Synchronous, unlike Progress&lt;T&gt;, which posts to the thread pool.</summary>
    private sealed class Recorder(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }
}
