namespace Quantize.Core.Calibration.Data;

/// <summary>One calibration sample: a value for every model input, and where it came from (for error messages).</summary>
/// <param name="Source">The file (and line, for text) the sample was read from.</param>
/// <param name="Inputs">Model input name → tensor.</param>
public sealed record CalibrationSample(string Source, IReadOnlyDictionary<string, CalibrationTensor> Inputs);
