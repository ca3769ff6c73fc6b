using System.Globalization;
using Quantize.Core.Diagnostics;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int4;

/// <summary>
/// INT4 weight-only quantization: constant MatMul weights become com.microsoft MatMulNBits and embedding
/// tables com.microsoft GatherBlockQuantized, both with 4-bit blocks along the reduction/embedding axis;
/// activations stay float. With <see cref="QuantizeOptions.StandardOnnxInt4"/> the weights are instead
/// stored as int4/uint4 initializers behind a block-wise DequantizeLinear (ONNX opset 21), which any
/// runtime can run and which ONNX Runtime fuses back into MatMulNBits on CPU.
/// </summary>
public sealed class Int4WeightOnlyPass : IQuantizationPass
{
    /// <summary>The first default-domain opset with block-wise DequantizeLinear and int4 tensors.</summary>
    public const long StandardFormMinimumOpset = 21;

    /// <inheritdoc />
    public Precision Precision => Precision.Int4;

    /// <inheritdoc />
    public IReadOnlyList<EmittedOperator> EmittedOperators { get; } =
    [
        new(Opsets.Microsoft, "MatMulNBits", "1.17.0"),
        new(Opsets.Microsoft, "GatherBlockQuantized", "1.20.0"),
    ];

    /// <inheritdoc />
    public void Run(PassContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        if (options.StandardOnnxInt4)
        {
            RequireOpset21(context);
        }

        var skipped = new SkipLog();
        bool decoder = Evaluation.DecoderSignature.Find(Calibration.Data.ModelInput.Of(context.Model)) is not null;
        var candidates = EightBitLayers(Int4BlockSizeChoice.Assign(Int4CandidateFinder.Find(context, skipped), options, decoder), context);
        var progress = new TensorProgress(context.Progress, "quantizing to Int4", candidates.Count, candidates.Sum(c => 4L * c.Rows * c.Length));
        candidates = QuantizeEach(candidates, context, skipped, progress);
        skipped.WriteTo(context.Result);
        if (candidates.Count == 0)
        {
            return;
        }

        DeadWeightRemover.Remove(context.Model, candidates.Select(c => c.Weight), candidates.Select(c => c.Transpose).OfType<NodeProto>());
        if (!options.StandardOnnxInt4)
        {
            Opsets.Ensure(context.Model, Opsets.Microsoft, 1);
        }

        context.Result.Notes.Add(Describe(options, candidates));
        if (options.BlockSize is null && decoder)
        {
            context.Result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"INT4 block sizes: a decoder with a KV cache keeps blocks of {QuantizeOptions.DefaultBlockSize} everywhere (smaller blocks slow ONNX Runtime's decode kernel); BlockSize=128 decodes faster still, at some accuracy."));
        }
        else if (options.BlockSize is null && DescribeBlockSizes(candidates) is { } blockSizes)
        {
            context.Result.Notes.Add(blockSizes);
        }
    }

    /// <summary>
    /// Rewrites each candidate whose weight is finite, in order; returns those rewritten. Each weight is checked for NaN
    /// and infinity as its turn comes, once (a tied embedding has two readers), so its pages are read in one residency
    /// instead of being scanned, dropped and read again; the next weight's pages are read from disk meanwhile.
    /// </summary>
    private static List<Int4Candidate> QuantizeEach(List<Int4Candidate> candidates, PassContext context, SkipLog skipped, TensorProgress progress)
    {
        var rewriter = new Int4NodeRewriter(context);
        var finite = new Dictionary<TensorProto, bool>(ReferenceEqualityComparer.Instance);
        var quantized = new List<Int4Candidate>(candidates.Count);
        var ahead = candidates.Count > 0 ? MappedFile.PopulateAhead(candidates[0].Weight.Tensor.RawData) : Task.CompletedTask;
        try
        {
            for (int i = 0; i < candidates.Count; i++)
            {
                var candidate = candidates[i];
                var weight = candidate.Weight.Tensor;
                ahead.Wait(); // this weight's pages are resident
                ahead = i + 1 < candidates.Count ? MappedFile.PopulateAhead(candidates[i + 1].Weight.Tensor.RawData) : Task.CompletedTask;
                if (!finite.TryGetValue(weight, out bool isFinite))
                {
                    finite[weight] = isFinite = context.RequireFiniteWeight(weight);
                }

                if (!isFinite)
                {
                    skipped.Add(candidate.Node.OpType, "its weight holds NaN or infinite values");
                    context.DoneWith(weight, []);
                }
                else
                {
                    // Recorded before the rewrite, which turns the node itself into MatMulNBits or GatherBlockQuantized.
                    context.Result.RecordQuantized(candidate.Node);
                    int before = candidate.Graph.Initializer.Count;
                    rewriter.Rewrite(candidate);
                    context.DoneWith(weight, candidate.Graph.Initializer.Skip(before));
                    quantized.Add(candidate);
                }

                progress.Done(candidate.Weight.Name, 4L * candidate.Rows * candidate.Length);
            }
        }
        finally
        {
            ahead.Wait(); // nothing reads a mapping after the pass, which may be failing and about to close it
        }

        return quantized;
    }

    /// <summary>
    /// The candidates with the MatMuls an Int8 override names at 8 bits (and listed as overridden). An override on an
    /// embedding Gather is said in a note: it stays 4-bit. (An override on a node the pass does not quantize at all
    /// leaves it float, the same as for 4 bits.)
    /// </summary>
    private static List<Int4Candidate> EightBitLayers(List<Int4Candidate> candidates, PassContext context)
    {
        if (context.EightBit.Count == 0)
        {
            return candidates;
        }

        var result = candidates.Select(c => c.Target == Int4Target.MatMul && context.EightBit.Contains(c.Node.Name) ? c with { Bits = 8 } : c).ToList();
        foreach (var candidate in result.Where(c => c.Bits == 8))
        {
            context.Result.Overridden.Add(new(candidate.Node.Name, "INT8"));
        }

        var embeddings = result.Where(c => c.Target == Int4Target.Embedding && context.EightBit.Contains(c.Node.Name)).Select(c => c.Node.Name).ToList();
        if (embeddings.Count > 0)
        {
            context.Result.Notes.Add($"Int8 overrides apply to MatMul weights; {embeddings.Count} embedding Gather(s) they name stay 4-bit: {string.Join(", ", embeddings.Take(5))}{(embeddings.Count > 5 ? ", ..." : string.Empty)}. Use Fp32 to keep an embedding float.");
        }

        return result;
    }

    /// <summary>Says which weights the automatic choice gave small blocks and why; null when none.</summary>
    private static string? DescribeBlockSizes(List<Int4Candidate> candidates)
    {
        int small = candidates.Count(c => c.BlockSize < QuantizeOptions.DefaultBlockSize);
        if (small == 0)
        {
            return null;
        }

        int matMuls = candidates.Count(c => c.Target == Int4Target.MatMul);
        int embeddings = candidates.Count - matMuls;
        return string.Create(CultureInfo.InvariantCulture,
            $"INT4 block sizes: {small} of {matMuls} MatMul weights use blocks of {Int4BlockSizeChoice.SensitiveBlockSize} because their rounding error reaches the output without passing a softmax; ")
            + string.Create(CultureInfo.InvariantCulture, $"{matMuls - small} that meet a softmax first (attention query and key projections) and {embeddings} embedding tables keep {QuantizeOptions.DefaultBlockSize}. Set a block size to use one size everywhere.");
    }

    private static void RequireOpset21(PassContext context)
    {
        long opset = Opsets.Version(context.Model, string.Empty);
        if (opset < StandardFormMinimumOpset)
        {
            var message = string.Create(CultureInfo.InvariantCulture,
                $"The standard-ONNX INT4 form needs block-wise DequantizeLinear and int4 tensors, which exist from opset {StandardFormMinimumOpset}; this model declares opset {opset}. ")
                + "Quantize.Build does not raise a model's opset because that silently changes the meaning of other operators. "
                + "Re-export the model at opset 21 or later, or use the default INT4 form (com.microsoft MatMulNBits), which works at any opset.";
            throw new QuantizeException(ErrorCodes.OpsetTooOld, context.ModelPath, message);
        }
    }

    private static string Describe(QuantizeOptions options, List<Int4Candidate> candidates)
    {
        int matMuls = candidates.Count(c => c.Target == Int4Target.MatMul);
        int embeddings = candidates.Count - matMuls;
        var sizes = options.BlockSize is int fixedSize
            ? fixedSize.ToString(CultureInfo.InvariantCulture)
            : string.Join(" or ", candidates.Select(c => c.BlockSize).Distinct().Order().Select(b => b.ToString(CultureInfo.InvariantCulture)));
        int eightBit = candidates.Count(c => c.Bits == 8);
        var blocks = string.Create(CultureInfo.InvariantCulture, $"4-bit {(options.Symmetric ? "symmetric" : "asymmetric")} blocks of {sizes}")
            + (eightBit == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" ({eightBit} MatMul weight(s) in 8-bit blocks by Int8 overrides, round to nearest)"));
        return options.StandardOnnxInt4
            ? string.Create(CultureInfo.InvariantCulture, $"INT4 (standard ONNX): {matMuls} MatMul and {embeddings} Gather weights stored as {(options.Symmetric ? "int4" : "uint4")} behind block-wise DequantizeLinear, {blocks}.")
            : string.Create(CultureInfo.InvariantCulture, $"INT4: {matMuls} MatMul → MatMulNBits (accuracy_level {options.AccuracyLevel}), {embeddings} Gather → GatherBlockQuantized, {blocks}.");
    }
}
