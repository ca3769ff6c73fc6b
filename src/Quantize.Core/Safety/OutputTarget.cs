using Quantize.Core.Diagnostics;
using Quantize.Core.Onnx;

namespace Quantize.Core.Safety;

/// <summary>
/// The one rule for where a result may be written, checked before any work: a path to a regular file (or to
/// nothing yet) that is neither the input model nor one of the external-data files it reads. Replacing a device
/// (<c>-o /dev/full</c> as root), a FIFO or a folder, or the float model the user is converting, is refused.
/// </summary>
public static class OutputTarget
{
    /// <summary>Throws <see cref="ErrorCodes.OutputPathRefused"/> (or the input's own error) unless <paramref name="outputPath"/> may receive the result.</summary>
    public static void Check(string inputPath, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(inputPath);
        InputFiles.RequireRegular(inputPath, "model file", ErrorCodes.ModelNotFound, inputPath);
        if (string.IsNullOrWhiteSpace(outputPath))
        {
            throw new QuantizeException(ErrorCodes.OutputPathRefused, inputPath, "No output path was given; name the file to write (for example -o model.int8.onnx).");
        }

        var kind = FileKinds.Of(outputPath);
        if (kind == FileKind.Directory || Path.EndsInDirectorySeparator(outputPath))
        {
            throw new QuantizeException(ErrorCodes.OutputPathRefused, outputPath,
                $"The output '{outputPath}' is a folder; name the file to write inside it (for example {Path.Join(outputPath, Path.GetFileNameWithoutExtension(inputPath) + ".quantized.onnx")}).");
        }

        if (kind == FileKind.Special)
        {
            throw new QuantizeException(ErrorCodes.OutputPathRefused, outputPath,
                $"The output '{outputPath}' is a special file (FIFO, device or socket); it is never replaced. Name a regular file.");
        }

        var output = RealPath.Of(outputPath);
        var input = RealPath.Of(inputPath);
        if (RealPath.Same(output, input))
        {
            throw new QuantizeException(ErrorCodes.OutputPathRefused, outputPath,
                $"The output '{outputPath}' is the input model; writing it would destroy the float original. Choose another output path.");
        }

        // External data can only live in the input's folder (ExternalData's policy), so only an output there can collide.
        if (RealPath.IsInside(output, Path.GetDirectoryName(input)!))
        {
            var sideFile = output + ".data";
            if (ExternalData.Vet(inputPath).FirstOrDefault(f => RealPath.Same(f, output) || RealPath.Same(f, sideFile)) is { } clash)
            {
                throw new QuantizeException(ErrorCodes.OutputPathRefused, outputPath,
                    $"Writing '{outputPath}' would replace '{clash}', an external-data file the input model reads. Choose another output path.");
            }
        }
    }
}
