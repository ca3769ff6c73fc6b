namespace Quantize.Runtime;

/// <summary>A buffer passed for a model input or output does not match the tensor's shape.</summary>
public sealed class TensorShapeException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public TensorShapeException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public TensorShapeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TensorShapeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one tensor.</summary>
    /// <param name="tensorName">The model's name for the tensor.</param>
    /// <param name="expectedShape">The shape the model declares, with the values given for symbolic dimensions.</param>
    /// <param name="actual">What the caller passed.</param>
    /// <param name="parameterName">The wrapper parameter that carried the buffer.</param>
    public TensorShapeException(string tensorName, string expectedShape, string actual, string? parameterName)
        : base($"Tensor '{tensorName}' expects shape {expectedShape}, but {actual}.", parameterName)
    {
        TensorName = tensorName;
        ExpectedShape = expectedShape;
        Actual = actual;
    }

    /// <summary>The model's name for the tensor.</summary>
    public string? TensorName { get; }

    /// <summary>The expected shape, as text (for example <c>[batch_size=2, 384] (768 elements)</c>).</summary>
    public string? ExpectedShape { get; }

    /// <summary>What the caller passed, as text.</summary>
    public string? Actual { get; }
}
