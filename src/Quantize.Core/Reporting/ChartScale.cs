namespace Quantize.Core.Reporting;

/// <summary>
/// Maps a layer error to a bar length. Errors that span two decades or more use a log scale (whole decades
/// from the smallest to the largest error), because on a linear scale every layer but the worst few would be
/// an invisible sliver; otherwise a linear scale from zero to a round number at or above the largest error.
/// </summary>
internal sealed class ChartScale
{
    private readonly double _low;
    private readonly double _high;

    private ChartScale(bool logarithmic, double low, double high, IReadOnlyList<double> ticks)
    {
        IsLogarithmic = logarithmic;
        _low = low;
        _high = high;
        Ticks = ticks;
    }

    /// <summary>True for a log scale.</summary>
    public bool IsLogarithmic { get; }

    /// <summary>Round values to draw grid lines at, ascending, in error units.</summary>
    public IReadOnlyList<double> Ticks { get; }

    public static ChartScale For(IEnumerable<double> errors)
    {
        var finite = errors.Where(e => double.IsFinite(e) && e > 0).ToList();
        if (finite.Count == 0)
        {
            return new ChartScale(false, 0, 1, [0, 0.25, 0.5, 0.75, 1]);
        }

        double max = finite.Max();
        double min = finite.Min();
        if (max / min >= 100)
        {
            int lowDecade = (int)Math.Floor(Math.Log10(min));
            int highDecade = Math.Max((int)Math.Ceiling(Math.Log10(max)), lowDecade + 1);
            var decades = Enumerable.Range(lowDecade, highDecade - lowDecade + 1).Select(d => Math.Pow(10, d)).ToList();
            return new ChartScale(true, lowDecade, highDecade, decades);
        }

        double step = NiceStep(max / 4);
        int steps = (int)Math.Ceiling(max / step - 1e-9);
        var ticks = Enumerable.Range(0, steps + 1).Select(i => i * step).ToList();
        return new ChartScale(false, 0, steps * step, ticks);
    }

    /// <summary>Where <paramref name="error"/> falls, from 0 (axis start) to 1 (axis end), clamped.</summary>
    public double Fraction(double error)
    {
        if (double.IsNaN(error) || error <= 0)
        {
            return 0;
        }

        if (double.IsPositiveInfinity(error))
        {
            return 1;
        }

        double position = IsLogarithmic ? (Math.Log10(error) - _low) / (_high - _low) : error / _high;
        return Math.Clamp(position, 0, 1);
    }

    /// <summary>The smallest of 1, 2, 2.5, 5 × 10^k that is at least <paramref name="rough"/>.</summary>
    private static double NiceStep(double rough)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        foreach (double multiple in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (multiple * magnitude >= rough * (1 - 1e-9))
            {
                return multiple * magnitude;
            }
        }

        return 10 * magnitude;
    }
}
