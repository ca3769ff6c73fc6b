using System.Globalization;

namespace Quantize.Core.Calibration.Data;

/// <summary>Which part of a split data set a reader yields.</summary>
public enum SplitPart
{
    /// <summary>The samples the calibrator sees: every one not held out.</summary>
    Calibration,

    /// <summary>The held-out samples the quality check evaluates on.</summary>
    HeldOut,
}

/// <summary>
/// A deterministic split of one data set by position in reading order (sorted paths, then lines): the samples at
/// positions 0, <see cref="Every"/>, 2·<see cref="Every"/>... are held out, the rest calibrate. Position 0 is
/// held out so any non-empty set has at least one evaluation sample; both parts are disjoint and together
/// cover the set.
/// </summary>
/// <param name="Every">One sample in this many is held out (at least 2).</param>
/// <param name="Part">The part a reader yields.</param>
public sealed record SampleSplit(int Every, SplitPart Part)
{
    /// <summary>The split the quality check uses when there is no separate validation data: one sample in five held out.</summary>
    public const int DefaultEvery = 5;

    /// <summary>True when the sample at <paramref name="position"/> (0-based, reading order) belongs to <see cref="Part"/>.</summary>
    public bool Includes(long position)
    {
        if (Every < 2)
        {
            throw new InvalidOperationException($"A sample split needs at least 2 samples per group, not {Every}.");
        }

        return (position % Every == 0) == (Part == SplitPart.HeldOut);
    }

    /// <summary>Stable text for fingerprints: ranges calibrated on one part are never reused for another.</summary>
    public string Description => string.Create(CultureInfo.InvariantCulture, $"split every {Every} {Part}");
}
