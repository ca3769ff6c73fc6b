using Microsoft.ML.OnnxRuntime;

namespace Quantize.Runtime;

/// <summary>Registers the ONNX Runtime Extensions custom operators (the <c>ai.onnx.contrib</c> domain).</summary>
/// <remarks>
/// Quantize.Runtime does not depend on <c>Microsoft.ML.OnnxRuntime.Extensions</c>: that package carries a
/// native library for every platform, and only models with tokenizers or other contrib ops need it. An app
/// whose model does adds the package itself; without it we fail with a message that names it.
/// </remarks>
public static class OrtExtensions
{
    /// <summary>The NuGet package that provides the custom operators.</summary>
    public const string PackageId = "Microsoft.ML.OnnxRuntime.Extensions";

    /// <summary>Registers the custom operators on <paramref name="options"/>.</summary>
    /// <param name="options">The session options to register on.</param>
    /// <exception cref="OrtExtensionsMissingException">The extensions' native library is not available.</exception>
    public static void Register(SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.RegisterOrtExtensions();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or OnnxRuntimeException or TypeLoadException or BadImageFormatException)
        {
            throw new OrtExtensionsMissingException(e);
        }
    }
}
