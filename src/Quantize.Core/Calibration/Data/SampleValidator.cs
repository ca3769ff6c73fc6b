using System.Globalization;
using Quantize.Core.Diagnostics;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Calibration.Data;

/// <summary>
/// Checks that a sample fits the model before ORT sees it, so a wrong file is reported by name with the
/// input it fails (ORT's own message names neither the file nor what was expected).
/// </summary>
public static class SampleValidator
{
    /// <summary>Throws a <see cref="QuantizeException"/> unless <paramref name="sample"/> feeds exactly <paramref name="inputs"/>.</summary>
    public static void Validate(CalibrationSample sample, IReadOnlyList<ModelInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var input in inputs)
        {
            if (!sample.Inputs.TryGetValue(input.Name, out var tensor))
            {
                throw new QuantizeException(ErrorCodes.CalibrationInputMissing, sample.Source,
                    $"Calibration sample '{sample.Source}' has no value for model input '{input.Name}' (it has: {Names(sample.Inputs.Keys)}).");
            }

            if (input.ElementType != DataType.Undefined && tensor.ElementType != input.ElementType)
            {
                throw new QuantizeException(ErrorCodes.CalibrationInputMismatch, sample.Source,
                    $"Calibration sample '{sample.Source}' gives input '{input.Name}' as {tensor.ElementType}, but the model declares {input.ElementType}.");
            }

            if (!Fits(tensor.Shape, input.Dims))
            {
                throw new QuantizeException(ErrorCodes.CalibrationInputMismatch, sample.Source,
                    $"Calibration sample '{sample.Source}' gives input '{input.Name}' the shape {ShapeText(tensor.Shape)}, but the model declares {input.ShapeText}.");
            }
        }

        var known = inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = sample.Inputs.Keys.Where(k => !known.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new QuantizeException(ErrorCodes.CalibrationInputMissing, sample.Source,
                $"Calibration sample '{sample.Source}' has tensors that are no model input: {Names(unknown)} (model inputs: {Names(known)}).");
        }
    }

    private static bool Fits(IReadOnlyList<long> shape, IReadOnlyList<long?>? dims)
    {
        if (dims is null)
        {
            return true;
        }

        if (shape.Count != dims.Count)
        {
            return false;
        }

        for (int i = 0; i < shape.Count; i++)
        {
            if (dims[i] is long d && d != shape[i])
            {
                return false;
            }
        }

        return true;
    }

    private static string ShapeText(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    private static string Names(IEnumerable<string> names)
    {
        var list = names.Order(StringComparer.Ordinal).Select(n => $"'{n}'").ToList();
        return list.Count == 0 ? "nothing" : string.Join(", ", list);
    }
}
