namespace Quantize.Core.Calibration;

/// <summary>How the activation ranges of a static INT8 run were obtained, for the summary and the build log.</summary>
/// <param name="Method">The method description (e.g. "MinMax", "Percentile 99.999 symmetric bins=16384").</param>
/// <param name="SampleCount">Samples the ranges were computed on.</param>
/// <param name="Elapsed">Time spent calibrating (or loading the saved ranges).</param>
/// <param name="Reused">True when saved ranges with the same fingerprint were loaded instead of calibrating.</param>
/// <param name="RangesPath">The ranges file read or written, if any.</param>
public sealed record CalibrationReport(string Method, int SampleCount, TimeSpan Elapsed, bool Reused, string? RangesPath);
