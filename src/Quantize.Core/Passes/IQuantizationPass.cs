using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes;

/// <summary>One precision's rewrite of a model, in place.</summary>
public interface IQuantizationPass
{
    /// <summary>The precision this pass produces.</summary>
    Precision Precision { get; }

    /// <summary>Rewrites <see cref="PassContext.Model"/>; records what it did in <see cref="PassContext.Result"/>.</summary>
    void Run(PassContext context);

    /// <summary>
    /// The element type <see cref="Run"/> will give the model's float32 graph inputs and outputs, or null when it keeps
    /// the model's interface as it is (every INT8 and INT4 pass; FP16/BF16 with KeepIoTypes, or on a model already in
    /// that precision). Asked without running the pass, so an IDE's design-time build knows the wrapper's signature
    /// without quantizing; it must decide exactly as <see cref="Run"/> does.
    /// </summary>
    DataType? InterfaceType(PassContext context) => null;

    /// <summary>The non-standard operators <see cref="Run"/> may emit, and the ONNX Runtime release each needs; none by default.</summary>
    IReadOnlyList<EmittedOperator> EmittedOperators => [];
}
