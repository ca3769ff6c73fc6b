namespace Quantize.Core.Calibration.Statistics;

/// <summary>
/// The KL-divergence threshold search of TensorRT's entropy calibration (also ONNX Runtime's "Entropy"):
/// for each candidate symmetric window of the fine histogram, the reference distribution P is the window
/// with everything outside added to its edge bins (clipping), and Q is the window squeezed into the
/// quantized levels and expanded back over P's non-empty bins. The window with the least KL(P‖Q) wins.
/// ORT's defaults (128 bins, 128 levels) leave one candidate, the full range, i.e. MinMax; with a fine
/// histogram (2048 bins) and 128 levels there are ~1000 candidates, a real search.
/// </summary>
internal static class EntropyThreshold
{
    /// <summary>Smoothing added to empty bins so KL stays finite (ORT uses the same 1e-4 in counts).</summary>
    private const double Epsilon = 1e-4;

    /// <summary>The calibrated range: [−t, t] at the best window, cut to the observed [min, max].</summary>
    public static TensorRange Search(StreamingHistogram histogram, int levels)
    {
        var sums = new WindowSums(histogram.Counts);
        int middle = histogram.Counts.Length / 2;
        double bestDivergence = double.PositiveInfinity;
        int bestHalfWidth = middle;
        // Windows are symmetric around zero. For a tensor that stays away from zero (all positive, like a LayerNorm's
        // variance + ε or its Sqrt) every window narrower than its smallest magnitude clips all values onto one edge
        // bin, where P and Q agree and KL is ~0, and every window just wider clips nearly all of them: the search
        // picks a window at the tensor's inner end (MiniLM: [0.39, 0.0625], an empty range, or [0.39, 0.40] for
        // values up to 0.68). KL does not see how far values were moved. Such tensors keep their MinMax range;
        // the quantization grid includes zero anyway, so clipping them would gain little resolution.
        if (histogram.Min > 0 || histogram.Max < 0)
        {
            return new TensorRange(histogram.Min, histogram.Max);
        }

        for (int halfWidth = Math.Max(1, levels / 2); halfWidth <= middle; halfWidth++)
        {
            double divergence = Divergence(sums, middle - halfWidth, middle + halfWidth, levels);
            if (divergence < bestDivergence)
            {
                (bestDivergence, bestHalfWidth) = (divergence, halfWidth);
            }
        }

        double t = bestHalfWidth * histogram.BinWidth;
        return new TensorRange(Math.Max(histogram.Min, (float)-t), Math.Min(histogram.Max, (float)t));
    }

    /// <summary>
    /// KL(P‖Q) for the window [start, end). P: the window's counts, the mass outside added to its edge bins.
    /// Q: each group of bins (the window split into <paramref name="levels"/> groups, the last taking the
    /// remainder) gets its own counts spread evenly over the bins where P is non-empty; a non-empty bin whose
    /// group has no own counts gets <see cref="Epsilon"/>. Within a group every non-empty bin has the same q,
    /// so with prefix sums of c, c·ln c and [c ≠ 0] the divergence costs O(levels), not O(window):
    /// KL = (Σ p ln p)/Pt − ln Pt − (Σ_g p_g ln q_g)/Pt + ln Qt, Pt = Σ p, Qt = Σ q.
    /// </summary>
    private static double Divergence(WindowSums sums, int start, int end, int levels)
    {
        int width = end - start;
        double left = sums.Mass(0, start);
        double right = sums.Mass(end, sums.Bins);
        double pTotal = sums.Mass(0, sums.Bins);
        if (pTotal == 0)
        {
            return double.PositiveInfinity;
        }

        // Σ p ln p: the window's own terms, with the two edge bins redone to include the clipped mass.
        double first = sums.Count(start);
        double last = sums.Count(end - 1);
        double pLogP = sums.MassLogMass(start, end) - XLogX(first) - XLogX(last) + XLogX(first + left) + XLogX(last + right);

        int perLevel = Math.Max(1, width / levels);
        int groups = Math.Min(levels, width);
        double qTotal = 0;
        double pLogQ = 0;
        for (int g = 0; g < groups; g++)
        {
            int from = g * perLevel;
            int to = g == groups - 1 ? width : from + perLevel;
            double mass = sums.Mass(start + from, start + to);
            int nonEmpty = sums.NonEmpty(start + from, start + to);
            double pMass = mass;
            if (from == 0)
            {
                nonEmpty += first == 0 && left > 0 ? 1 : 0;
                pMass += left;
            }

            if (to == width)
            {
                nonEmpty += last == 0 && right > 0 ? 1 : 0;
                pMass += right;
            }

            if (nonEmpty == 0)
            {
                continue;
            }

            double q = mass > 0 ? mass / nonEmpty : Epsilon;
            qTotal += nonEmpty * q;
            pLogQ += pMass * Math.Log(q);
        }

        return qTotal == 0 ? double.PositiveInfinity : (pLogP / pTotal) - Math.Log(pTotal) - (pLogQ / pTotal) + Math.Log(qTotal);
    }

    private static double XLogX(double x) => x > 0 ? x * Math.Log(x) : 0;

    /// <summary>Prefix sums over the histogram: counts, c·ln c and non-empty bins, each range in O(1).</summary>
    private sealed class WindowSums
    {
        private readonly long[] _counts;
        private readonly double[] _mass;
        private readonly double[] _massLogMass;
        private readonly int[] _nonEmpty;

        public WindowSums(ReadOnlySpan<long> counts)
        {
            _counts = counts.ToArray();
            Bins = counts.Length;
            _mass = new double[Bins + 1];
            _massLogMass = new double[Bins + 1];
            _nonEmpty = new int[Bins + 1];
            for (int i = 0; i < Bins; i++)
            {
                _mass[i + 1] = _mass[i] + counts[i];
                _massLogMass[i + 1] = _massLogMass[i] + XLogX(counts[i]);
                _nonEmpty[i + 1] = _nonEmpty[i] + (counts[i] != 0 ? 1 : 0);
            }
        }

        public int Bins { get; }

        public double Count(int bin) => _counts[bin];

        public double Mass(int from, int to) => _mass[to] - _mass[from];

        public double MassLogMass(int from, int to) => _massLogMass[to] - _massLogMass[from];

        public int NonEmpty(int from, int to) => _nonEmpty[to] - _nonEmpty[from];
    }
}
