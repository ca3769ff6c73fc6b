namespace Quantize.Runtime;

/// <summary>What the build recorded about a quantized model; generated wrappers expose one as <c>Model</c>.</summary>
public sealed class ModelDescription
{
    /// <summary>Creates a description.</summary>
    /// <param name="sourceFile">The model file as the project names it.</param>
    /// <param name="sourceSha256">SHA-256 of the source model, lowercase hex.</param>
    /// <param name="outputSha256">SHA-256 of the quantized model, lowercase hex.</param>
    /// <param name="precision">The precision it was quantized to (Fp16, Bf16, Int8, Int4).</param>
    /// <param name="bytesBefore">Size of the source model in bytes.</param>
    /// <param name="bytesAfter">Size of the quantized model in bytes.</param>
    /// <param name="resourceName">The manifest resource name when embedded, else null.</param>
    /// <param name="modelFileName">The model's file name beside the app when not embedded.</param>
    /// <param name="usesOrtExtensions">Whether the model needs ONNX Runtime Extensions.</param>
    /// <param name="inputs">The graph inputs.</param>
    /// <param name="outputs">The graph outputs.</param>
    public ModelDescription(
        string sourceFile,
        string sourceSha256,
        string outputSha256,
        string precision,
        long bytesBefore,
        long bytesAfter,
        string? resourceName,
        string modelFileName,
        bool usesOrtExtensions,
        IReadOnlyList<TensorDescription> inputs,
        IReadOnlyList<TensorDescription> outputs)
    {
        SourceFile = sourceFile;
        SourceSha256 = sourceSha256;
        OutputSha256 = outputSha256;
        Precision = precision;
        BytesBefore = bytesBefore;
        BytesAfter = bytesAfter;
        ResourceName = resourceName;
        ModelFileName = modelFileName;
        UsesOrtExtensions = usesOrtExtensions;
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>The model file as the project names it.</summary>
    public string SourceFile { get; }

    /// <summary>SHA-256 of the source model, lowercase hex.</summary>
    public string SourceSha256 { get; }

    /// <summary>SHA-256 of the quantized model, lowercase hex.</summary>
    public string OutputSha256 { get; }

    /// <summary>The precision it was quantized to (Fp16, Bf16, Int8, Int4).</summary>
    public string Precision { get; }

    /// <summary>Size of the source model in bytes.</summary>
    public long BytesBefore { get; }

    /// <summary>Size of the quantized model in bytes.</summary>
    public long BytesAfter { get; }

    /// <summary>The manifest resource name when embedded, else null.</summary>
    public string? ResourceName { get; }

    /// <summary>The model's file name beside the app when not embedded.</summary>
    public string ModelFileName { get; }

    /// <summary>Whether the model needs ONNX Runtime Extensions.</summary>
    public bool UsesOrtExtensions { get; }

    /// <summary>The graph inputs, in the order the wrapper's Run takes them.</summary>
    public IReadOnlyList<TensorDescription> Inputs { get; }

    /// <summary>The graph outputs, in the order the wrapper's result exposes them.</summary>
    public IReadOnlyList<TensorDescription> Outputs { get; }
}
