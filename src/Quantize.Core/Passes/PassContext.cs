using Quantize.Core.Calibration;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes;

/// <summary>The model being rewritten and everything a pass needs beside it.</summary>
public sealed class PassContext
{
    private IReadOnlyDictionary<string, DataType>? _types;

    /// <summary>Creates a context for <paramref name="model"/> loaded from <paramref name="modelPath"/>.</summary>
    public PassContext(ModelProto model, string modelPath, QuantizeOptions options, NodeSelector excluded, QuantizeResult result)
    {
        Model = model;
        ModelPath = modelPath;
        Options = options;
        Excluded = excluded;
        Result = result;
        Names = new NameAllocator(model);
    }

    /// <summary>The model, rewritten in place.</summary>
    public ModelProto Model { get; }

    /// <summary>Where the model came from (for diagnostics).</summary>
    public string ModelPath { get; }

    /// <summary>The user's options.</summary>
    public QuantizeOptions Options { get; }

    /// <summary>Nodes the user asked to leave alone.</summary>
    public NodeSelector Excluded { get; }

    /// <summary>Where the pass reports what it did.</summary>
    public QuantizeResult Result { get; }

    /// <summary>Fresh, deterministic names for new tensors and nodes.</summary>
    public NameAllocator Names { get; }

    /// <summary>
    /// Calibrated activation ranges (tensor name → float range), when the caller has them: INT8 then
    /// quantizes statically (QDQ) instead of dynamically.
    /// </summary>
    public ActivationRanges? Ranges { get; init; }

    /// <summary>
    /// Static INT8: the model already pre-processed by <see cref="Int8Static.StaticPreprocessor"/> (calibration
    /// ran on it), or null for the pass to pre-process <see cref="ModelPath"/> itself. The pass takes its graph over.
    /// </summary>
    public ModelProto? Preprocessed { get; init; }

    /// <summary>Where long passes report their progress through the weights (<see cref="TensorProgress"/>); null for none.</summary>
    public IProgress<string>? Progress { get; init; }

    /// <summary>INT4: names of the nodes whose weights get 8-bit blocks (Int8 overrides); empty otherwise.</summary>
    public IReadOnlySet<string> EightBit { get; init; } = new HashSet<string>();

    /// <summary>Static INT8: the calibration samples themselves, for remedies that measure the quantized model (bias correction); null otherwise.</summary>
    public Calibration.Data.CalibrationDataOptions? CalibrationData { get; init; }

    /// <summary>Static INT8: bias correction's measurements from an earlier quantization of the same calibration (it adds its own).</summary>
    internal Int8Static.BiasShifts BiasShifts { get; init; } = new();

    /// <summary>INT4 with GPTQ or AWQ: XᵀX of each weighted MatMul's input over the calibration data, by input tensor name; null otherwise.</summary>
    public IReadOnlyDictionary<string, double[]>? Hessians { get; init; }

    /// <summary>Where the tensors a pass creates are moved out of managed memory (models with external data); null to keep them there.</summary>
    internal SpillFile? Spill { get; init; }

    /// <summary>
    /// Called by a pass once it is done with the float <paramref name="weight"/>: lets the weight's mapped pages go and
    /// moves the tensors it created for it (<paramref name="created"/>) to <see cref="Spill"/>, so the process holds
    /// about one weight at a time however large the model (bounded memory; <see cref="MappedFile"/>).
    /// </summary>
    internal void DoneWith(TensorProto weight, IEnumerable<TensorProto> created)
    {
        MappedFile.ReleaseResident(weight.RawData);
        Keep(created);
    }

    /// <summary>
    /// As <see cref="DoneWith(TensorProto, IEnumerable{TensorProto})"/> when the pass does not know which weights it
    /// read (INT8's per-operator quantizers): every mapped page goes.
    /// </summary>
    internal void DoneWith(IEnumerable<TensorProto> created)
    {
        MappedFile.ReleaseAllResident();
        Keep(created);
    }

    private void Keep(IEnumerable<TensorProto> created)
    {
        if (Spill is { } spill)
        {
            foreach (var tensor in created)
            {
                spill.Take(tensor);
            }
        }
    }

    /// <summary>
    /// Element type of every tensor of the original model, inferred by ONNX Runtime on first use (only
    /// passes that need intermediate types pay for it).
    /// </summary>
    public IReadOnlyDictionary<string, DataType> Types => _types ??= RuntimeTypeInference.Infer(Model, ModelPath);

    /// <summary>
    /// True when every value of the float weight <paramref name="tensor"/> is finite; otherwise warns (QNT1008, naming
    /// the tensor) that it stays float: a scale computed from NaN or infinity would make every value of it meaningless.
    /// The caller populates the weight's pages first and releases them when done (<see cref="DoneWith(TensorProto, IEnumerable{TensorProto})"/>).
    /// </summary>
    public bool RequireFiniteWeight(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (Numerics.FiniteValues.All(tensor.ReadFloatMemory()))
        {
            return true;
        }

        Result.Warnings.Add(new Diagnostics.Diagnostic(ErrorCodes.NonFiniteWeight, ModelPath,
            $"Weight '{tensor.Name}' holds NaN or infinite values; it stays float."));
        return false;
    }
}
