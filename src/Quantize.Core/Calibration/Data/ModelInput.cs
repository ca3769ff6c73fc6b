using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Calibration.Data;

/// <summary>A graph input that calibration data must feed, as the model declares it.</summary>
/// <param name="Name">The input's name.</param>
/// <param name="ElementType">Declared element type (Undefined when the model does not say).</param>
/// <param name="Dims">Declared dimensions, null entries symbolic (any size); null when the shape is undeclared.</param>
public sealed record ModelInput(string Name, DataType ElementType, IReadOnlyList<long?>? Dims)
{
    /// <summary>
    /// The inputs of <paramref name="model"/>'s main graph that are not initializers (IR &lt; 4 models list
    /// their weights among the inputs; those are not fed).
    /// </summary>
    public static IReadOnlyList<ModelInput> Of(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = new List<ModelInput>();
        foreach (var input in model.Graph.Input)
        {
            if (initializers.Contains(input.Name))
            {
                continue;
            }

            var tensorType = input.Type?.TensorType;
            var elementType = tensorType is { HasElemType: true } ? (DataType)tensorType.ElemType : DataType.Undefined;
            IReadOnlyList<long?>? dims = tensorType?.Shape is { } shape
                ? [.. shape.Dim.Select(d => d.HasDimValue && d.DimValue > 0 ? d.DimValue : (long?)null)]
                : null;
            inputs.Add(new ModelInput(input.Name, elementType, dims));
        }

        return inputs;
    }

    /// <summary>The declared shape as text, symbolic dimensions as '?'.</summary>
    public string ShapeText => Dims is null ? "(any)" : "[" + string.Join(", ", Dims.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?")) + "]";
}
