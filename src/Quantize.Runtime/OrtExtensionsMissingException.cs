namespace Quantize.Runtime;

/// <summary>A model uses ONNX Runtime Extensions custom operators, but the app does not ship them.</summary>
public sealed class OrtExtensionsMissingException : InvalidOperationException
{
    /// <summary>Creates the exception with the standard message.</summary>
    public OrtExtensionsMissingException()
        : this(null)
    {
    }

    /// <summary>Creates the exception with the standard message and the failure that revealed it.</summary>
    /// <param name="innerException">Why registration failed.</param>
    public OrtExtensionsMissingException(Exception? innerException)
        : base(
            $"This model uses ONNX Runtime Extensions custom operators (domain ai.onnx.contrib). Add a PackageReference to " +
            $"'{OrtExtensions.PackageId}' to the application so its native library is deployed.",
            innerException)
    {
    }

    /// <summary>Creates the exception with a custom message.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public OrtExtensionsMissingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
