using System.Reflection;

namespace Quantize.Runtime;

/// <summary>Finds model bytes: a manifest resource of the app's assembly, or a file beside the app.</summary>
internal static class ModelFiles
{
    /// <summary>
    /// Reads an embedded model into one exactly-sized array.
    /// </summary>
    /// <remarks>
    /// Why a managed array at all: ONNX Runtime's C# API creates sessions only from a path or a
    /// <c>byte[]</c> (it pins the array and calls <c>CreateSessionFromArray</c>); it has no overload over
    /// a pointer or span, and there is no public way to wrap a natively created session. The resource
    /// stream of a loaded assembly is an <see cref="UnmanagedMemoryStream"/> over the mapped image, so
    /// the one copy we make is a straight memcpy into an array allocated without zeroing; ONNX Runtime
    /// parses the protobuf into its own structures and the array is garbage as soon as the session
    /// exists. Models too large for that belong beside the app (<c>Embed="false"</c>), which loads from
    /// the path with no managed copy.
    /// </remarks>
    public static byte[] ReadResource(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new FileNotFoundException(
                $"The model resource '{resourceName}' is not embedded in assembly '{assembly.GetName().Name}'. " +
                "Check the QuantizedModel item's Embed metadata and that the build ran the quantizer.",
                resourceName);

        long length = stream.Length;
        if (length > Array.MaxLength)
        {
            throw new InvalidDataException($"The model resource '{resourceName}' is {length} bytes, more than one array holds; set Embed=\"false\" for this model.");
        }

        var bytes = GC.AllocateUninitializedArray<byte>((int)length);
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Resolves a model file name against the application's base directory and checks it exists.</summary>
    public static string BesideApplication(string modelFileName)
    {
        var path = Path.IsPathRooted(modelFileName) ? modelFileName : Path.Combine(AppContext.BaseDirectory, modelFileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The model file '{modelFileName}' was not found beside the application (looked for '{path}'). " +
                "Models built with Embed=\"false\" are copied to the output folder; publish must include them too.",
                path);
        }

        return path;
    }
}
