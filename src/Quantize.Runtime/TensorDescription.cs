using Microsoft.ML.OnnxRuntime.Tensors;

namespace Quantize.Runtime;

/// <summary>A model input or output: its name, element type and declared shape.</summary>
public sealed class TensorDescription
{
    /// <summary>Creates a description.</summary>
    /// <param name="name">The tensor's name in the model.</param>
    /// <param name="elementType">The ONNX element type.</param>
    /// <param name="shape">The declared dimensions.</param>
    public TensorDescription(string name, TensorElementType elementType, IReadOnlyList<TensorDimension> shape)
    {
        Name = name;
        ElementType = elementType;
        Shape = shape;
    }

    /// <summary>The tensor's name in the model.</summary>
    public string Name { get; }

    /// <summary>The ONNX element type.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The declared dimensions.</summary>
    public IReadOnlyList<TensorDimension> Shape { get; }

    /// <summary>The tensor as <c>name: type[d0, d1, ...]</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Name}: {ElementType}[{string.Join(", ", Shape)}]";
}
