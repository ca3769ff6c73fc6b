namespace Quantize.Core.Calibration.Data;

/// <summary>Where calibration samples come from and how files become model inputs.</summary>
public sealed record CalibrationDataOptions
{
    /// <summary>Files, folders (searched recursively) or globs (<c>*</c>, <c>?</c>, <c>**</c>); relative ones resolve against <see cref="BaseDirectory"/>.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>Folder relative sources resolve against (the project folder in a build); null is the current directory.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Use at most this many samples (the first ones in sorted path order); null uses all.</summary>
    public int? MaxSamples { get; init; }

    /// <summary>Preprocessing of <c>.png</c>/<c>.jpg</c> files; null uses the defaults (model size, RGB, 0..1).</summary>
    public ImagePreprocessing? Image { get; init; }

    /// <summary>Tokenization of <c>.txt</c> files; required when text files are given.</summary>
    public TextTokenization? Text { get; init; }

    /// <summary>
    /// Keep only one part of the samples (after <see cref="MaxSamples"/>): how one data set is split into the
    /// samples the calibrator sees and the held-out ones the quality check evaluates on; null keeps all.
    /// </summary>
    public SampleSplit? Split { get; init; }
}
