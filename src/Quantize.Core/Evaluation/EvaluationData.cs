using System.Globalization;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Diagnostics;

namespace Quantize.Core.Evaluation;

/// <summary>
/// Which samples the quality check compares outputs on, decided before quantizing because it can change what
/// the calibrator sees: validation data when given; otherwise every <see cref="SampleSplit.DefaultEvery"/>th
/// calibration sample, held out from calibration; otherwise none (an error when an accuracy gate is set).
/// </summary>
internal sealed class EvaluationData
{
    private readonly string _kind;

    private EvaluationData(CalibrationDataOptions? samples, CalibrationSetup? calibration, string kind, string? note)
    {
        Samples = samples;
        Calibration = calibration;
        _kind = kind;
        Note = note;
    }

    /// <summary>The samples to evaluate on; null when accuracy is not compared.</summary>
    public CalibrationDataOptions? Samples { get; }

    /// <summary>The calibration the quantizer runs with (the held-out samples split off); null for precisions without calibration.</summary>
    public CalibrationSetup? Calibration { get; }

    /// <summary>What the report should say about the choice, if anything.</summary>
    public string? Note { get; }

    /// <summary>True when the evaluation samples are part of the calibration data.</summary>
    public bool IsHeldOut => Samples?.Split is { Part: SplitPart.HeldOut };

    /// <summary>Decides the evaluation samples for <paramref name="modelPath"/>. Throws QNT0020 when an accuracy gate has no data.</summary>
    public static EvaluationData Resolve(string modelPath, QualityCheckOptions quality, CalibrationSetup? calibration)
    {
        if (!quality.Evaluates)
        {
            return new(null, calibration, "", null);
        }

        if (quality.ValidationData is { } validation)
        {
            return new(validation, calibration, "validation data", null);
        }

        if (calibration is not null)
        {
            if (CalibratedQuantizer.ExpectedSamples(calibration.Data with { Split = null }) < 2)
            {
                return new(calibration.Data, calibration, "the only calibration sample",
                    "There is one calibration sample and no validation data: accuracy was measured on the sample the calibrator saw, which flatters it. Give validation data.");
            }

            var heldOut = calibration.Data with { Split = new SampleSplit(SampleSplit.DefaultEvery, SplitPart.HeldOut) };
            // The split changes the data, so a fingerprint computed for the whole set no longer applies.
            var rest = calibration with { Data = calibration.Data with { Split = new SampleSplit(SampleSplit.DefaultEvery, SplitPart.Calibration) }, Fingerprint = null };
            return new(heldOut, rest, "held-out calibration samples", null);
        }

        if (quality.NeedsAccuracy)
        {
            throw new QuantizeException(ErrorCodes.EvaluationDataMissing, modelPath,
                $"'{modelPath}' has accuracy gates ({string.Join(", ", AccuracyGates(quality.Gates))}) but no data to measure them on: give validation data (ValidationData, --validation-data) or calibration data.");
        }

        return new(null, calibration, "",
            "Accuracy was not compared: there is no validation or calibration data (ValidationData, --validation-data).");
    }

    /// <summary>The data source line: "validation data (50 samples)", "held-out calibration samples (12 of 60; calibrated on the other 48)".</summary>
    public string Describe(int evaluated, int? calibrated) => IsHeldOut && calibrated is int rest
        ? string.Create(CultureInfo.InvariantCulture, $"{_kind} ({evaluated} of {evaluated + rest}; calibrated on the other {rest})")
        : string.Create(CultureInfo.InvariantCulture, $"{_kind} ({evaluated} sample{(evaluated == 1 ? "" : "s")})");

    private static IEnumerable<string> AccuracyGates(QualityGates gates)
    {
        if (gates.MinCosine is not null)
        {
            yield return GateChecker.MinCosine;
        }

        if (gates.MinSqnr is not null)
        {
            yield return GateChecker.MinSqnr;
        }

        if (gates.MaxTop1Drop is not null)
        {
            yield return GateChecker.MaxTop1Drop;
        }
    }
}
