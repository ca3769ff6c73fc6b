using Quantize.Core.Evaluation;

namespace Quantize.Core.Tests.Evaluation;

/// <summary>
/// The slower-than-float verdict (QNT1005) needs the whole noise interval below 1: the sign-test interval for the
/// median of per-round speedups, computed from paired float/quantized run times.
/// </summary>
public sealed class SpeedIntervalTests
{
    [Fact]
    public void Every_round_slower_is_clearly_slower()
    {
        double[] floatMs = [.. Enumerable.Range(0, 40).Select(i => 10.0 + (i % 3))];
        double[] quantizedMs = [.. floatMs.Select(f => f * 1.4)];

        var speed = SpeedResult.FromPairedRuns(floatMs, quantizedMs);

        Assert.True(speed.Speedup < 1);
        Assert.True(speed.IsClearlySlower);
        Assert.InRange(speed.Interval!.High, 0.7, 0.72);
    }

    [Fact]
    public void A_median_just_under_one_with_rounds_on_both_sides_is_noise()
    {
        // 21 rounds slightly slower, 19 slightly faster: median speedup below 1, interval straddling 1.
        double[] floatMs = [.. Enumerable.Repeat(10.0, 40)];
        double[] quantizedMs = [.. Enumerable.Range(0, 40).Select(i => i < 21 ? 10.2 : 9.8)];

        var speed = SpeedResult.FromPairedRuns(floatMs, quantizedMs);

        Assert.True(speed.Speedup < 1);
        Assert.False(speed.IsClearlySlower);
        Assert.True(speed.Interval!.Low < 1 && speed.Interval.High > 1);
    }

    [Fact]
    public void The_interval_holds_the_median_and_narrows_with_more_rounds()
    {
        var random = new Random(7);
        SpeedupInterval Width(int n)
        {
            double[] f = [.. Enumerable.Range(0, n).Select(_ => 10 + random.NextDouble())];
            double[] q = [.. Enumerable.Range(0, n).Select(_ => 5 + random.NextDouble())];
            var speed = SpeedResult.FromPairedRuns(f, q);
            Assert.InRange(speed.Speedup, speed.Interval!.Low, speed.Interval.High);
            return speed.Interval;
        }

        var few = Width(10);
        var many = Width(400);
        Assert.True(many.High - many.Low < few.High - few.Low);
    }

    [Fact]
    public void The_medians_are_of_each_model_and_the_runs_are_left_as_given()
    {
        double[] floatMs = [12, 10, 11];
        double[] quantizedMs = [6, 8, 4];

        var speed = SpeedResult.FromPairedRuns(floatMs, quantizedMs);

        Assert.Equal(11, speed.FloatMedianMs);
        Assert.Equal(6, speed.QuantizedMedianMs);
        Assert.Equal([12.0, 10, 11], floatMs);
        Assert.Equal([6.0, 8, 4], quantizedMs);
    }

    [Fact]
    public void Five_rounds_use_their_whole_range()
    {
        var interval = SpeedResult.PairedInterval([10, 10, 10, 10, 10], [8, 9, 10, 11, 12])!;

        Assert.Equal(10.0 / 12, interval.Low, 12);
        Assert.Equal(10.0 / 8, interval.High, 12);
    }
}
