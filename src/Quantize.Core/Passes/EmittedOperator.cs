namespace Quantize.Core.Passes;

/// <summary>
/// A non-standard operator a pass may write into a model, with the ONNX Runtime release that first shipped it: the
/// build refuses a result the app's ONNX Runtime is too old to run (QNT0012) from these facts, checked against what the
/// output actually contains.
/// </summary>
/// <param name="Domain">The operator's domain (<c>com.microsoft</c>).</param>
/// <param name="OpType">The operator.</param>
/// <param name="FirstRelease">The first ONNX Runtime release with a CPU kernel for it (from its release history).</param>
public sealed record EmittedOperator(string Domain, string OpType, string FirstRelease);
