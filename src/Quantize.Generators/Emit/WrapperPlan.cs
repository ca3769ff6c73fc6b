using System.Collections.Generic;
using Quantize.Generators.Manifest;

namespace Quantize.Generators.Emit;

/// <summary>A dimension the caller supplies as an <c>int</c> parameter.</summary>
/// <param name="Parameter">The parameter's name (maybe <c>@</c>-escaped).</param>
/// <param name="Local">The local holding its checked <c>long</c> value.</param>
/// <param name="Description">What the XML docs say it is.</param>
internal sealed record DimensionParameter(string Parameter, string Local, string Description);

/// <summary>A graph input or output with the C# names chosen for it.</summary>
/// <param name="Tensor">The manifest's tensor.</param>
/// <param name="Index">Its position among the inputs or the outputs.</param>
/// <param name="Parameter">Its parameter name in Run (outputs: in the overloads taking buffers).</param>
/// <param name="Property">Outputs: the result property; inputs: unused.</param>
/// <param name="ShapeProperty">Outputs: the result's shape property.</param>
/// <param name="Dimensions">Per axis: a C# expression for the size (a literal or a dimension local), or null when unknown.</param>
internal sealed record TensorPlan(TensorManifest Tensor, int Index, string Parameter, string Property, string ShapeProperty, string?[] Dimensions)
{
    /// <summary>The result property viewing an output as a <c>ReadOnlyTensorSpan</c> (outputs only; not for strings).</summary>
    public string TensorProperty { get; init; } = "";

    public bool AllStatic
    {
        get
        {
            foreach (var d in Tensor.Shape)
            {
                if (!d.IsStatic)
                {
                    return false;
                }
            }

            return true;
        }
    }
}

/// <summary>
/// The names and shapes the writer needs, decided once: parameter names for inputs, outputs and
/// dimensions (unique across one method), result property names, and which dimensions come from where.
/// </summary>
internal sealed class WrapperPlan
{
    private WrapperPlan(ModelManifest model)
    {
        Model = model;
        ResultName = model.ClassName + "Result";
    }

    public ModelManifest Model { get; }

    public string ResultName { get; }

    public List<TensorPlan> Inputs { get; } = [];

    public List<TensorPlan> Outputs { get; } = [];

    /// <summary>Dimensions named by the inputs: parameters of every Run.</summary>
    public List<DimensionParameter> InputDimensions { get; } = [];

    /// <summary>Output dimensions no input determines: extra parameters where outputs are pre-allocated.</summary>
    public List<DimensionParameter> OutputDimensions { get; } = [];

    public bool HasStringOutput
    {
        get
        {
            foreach (var o in Outputs)
            {
                if (o.Tensor.ElementType.IsString)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Whether the outputs can be pre-allocated from the inputs' dimensions alone.</summary>
    public bool OutputShapesFollowFromInputs => OutputDimensions.Count == 0 && !HasStringOutput;

    public static WrapperPlan For(ModelManifest model)
    {
        var plan = new WrapperPlan(model);
        var parameters = new NameScope();
        var symbols = new Dictionary<string, string>(System.StringComparer.Ordinal);
        int dimensionCount = 0;

        foreach (var (tensor, i) in Indexed(model.Inputs))
        {
            plan.Inputs.Add(new TensorPlan(tensor, i, parameters.Camel(tensor.Name, "input"), "", "", new string?[tensor.Shape.Count]));
        }

        foreach (var (tensor, i) in Indexed(model.Outputs))
        {
            plan.Outputs.Add(new TensorPlan(tensor, i, parameters.Camel(tensor.Name, "output"), "", "", new string?[tensor.Shape.Count]));
        }

        foreach (var input in plan.Inputs)
        {
            Resolve(input, plan.InputDimensions);
        }

        foreach (var output in plan.Outputs)
        {
            Resolve(output, plan.OutputDimensions);
        }

        var members = new NameScope("Dispose", "Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "Finalize", plan.ResultName);
        for (int i = 0; i < plan.Outputs.Count; i++)
        {
            var o = plan.Outputs[i];
            var property = members.Pascal(o.Tensor.Name, "Output");
            plan.Outputs[i] = o with { Property = property, ShapeProperty = members.Exact(property + "Shape"), TensorProperty = o.Tensor.ElementType.IsString ? "" : members.Exact(property + "Tensor") };
        }

        return plan;

        void Resolve(TensorPlan tensor, List<DimensionParameter> into)
        {
            for (int axis = 0; axis < tensor.Tensor.Shape.Count; axis++)
            {
                var dim = tensor.Tensor.Shape[axis];
                if (dim.IsStatic)
                {
                    tensor.Dimensions[axis] = dim.Size.ToString(System.Globalization.CultureInfo.InvariantCulture) + "L";
                    continue;
                }

                if (dim.Symbol is not null && symbols.TryGetValue(dim.Symbol, out var local))
                {
                    tensor.Dimensions[axis] = local;
                    continue;
                }

                local = "__dim" + dimensionCount++.ToString(System.Globalization.CultureInfo.InvariantCulture);
                string parameter;
                string description;
                if (dim.Symbol is not null)
                {
                    parameter = parameters.Camel(dim.Symbol, "dim");
                    description = $"The size of the symbolic dimension <c>{Text.Xml(dim.Symbol)}</c>.";
                    symbols.Add(dim.Symbol, local);
                }
                else
                {
                    parameter = parameters.Camel(tensor.Parameter.TrimStart('@') + "Dim" + axis.ToString(System.Globalization.CultureInfo.InvariantCulture), "dim");
                    description = $"The size of axis {axis} of <c>{Text.Xml(tensor.Tensor.Name)}</c>, which the model leaves unnamed.";
                }

                into.Add(new DimensionParameter(parameter, local, description));
                tensor.Dimensions[axis] = local;
            }
        }
    }

    private static IEnumerable<(TensorManifest Tensor, int Index)> Indexed(EquatableArray<TensorManifest> tensors)
    {
        for (int i = 0; i < tensors.Count; i++)
        {
            yield return (tensors[i], i);
        }
    }
}
