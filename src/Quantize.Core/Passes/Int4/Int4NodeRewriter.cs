using Quantize.Core.Graph;
using Quantize.Core.Numerics;
using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Int4;

/// <summary>
/// Rewrites eligible nodes in place: MatMul → com.microsoft MatMulNBits, embedding Gather →
/// com.microsoft GatherBlockQuantized, or (standard-ONNX form) a block-wise DequantizeLinear of an
/// int4/uint4 initializer feeding the original node. A weight shared by several nodes of one graph is
/// quantized once and its tensors are shared. With AWQ a MatMul's input is divided by the weight's input scales
/// first (a Mul by their reciprocals), since the weight was quantized with its rows scaled up by them.
/// </summary>
internal sealed class Int4NodeRewriter
{
    private readonly PassContext _context;
    private readonly Dictionary<GraphProto, Dictionary<string, string[]>> _done = new(ReferenceEqualityComparer.Instance);

    // AWQ: the initializer holding 1/s for each scaled weight, by graph (by reference: a graph's value changes as it is
    // rewritten) and weight name.
    private readonly Dictionary<GraphProto, Dictionary<string, string>> _divisors = new(ReferenceEqualityComparer.Instance);

    public Int4NodeRewriter(PassContext context) => _context = context;

    private bool Symmetric => _context.Options.Symmetric;

    /// <summary>Rewrites <paramref name="candidate"/>'s node.</summary>
    public void Rewrite(Int4Candidate candidate)
    {
        var node = candidate.Node;
        if (_context.Options.StandardOnnxInt4)
        {
            // A weight read through a Transpose is dequantized in its stored [N, K] form, and the Transpose reads that.
            var reader = candidate.Transpose ?? node;
            reader.Input[candidate.Transposed ? 0 : candidate.WeightInput] = Shared(candidate, "dq", () => [AddDequantizeLinear(candidate)])[0];
            DivideInputByAwqScales(candidate);
        }
        else if (candidate.Target == Int4Target.MatMul)
        {
            var tensors = candidate.Bits == 8
                ? Shared(candidate, "nbits8", () => AddEightBitMatMulNBitsTensors(candidate))
                : Shared(candidate, "nbits", () => AddMatMulNBitsTensors(candidate));
            ReplaceInputs(node, [node.Input[0], .. tensors]);
            DivideInputByAwqScales(candidate);
            Retarget(node, "MatMulNBits",
                IntAttribute("K", candidate.Length),
                IntAttribute("N", candidate.Rows),
                IntAttribute("bits", candidate.Bits),
                IntAttribute("block_size", candidate.BlockSize),
                IntAttribute("accuracy_level", _context.Options.AccuracyLevel));
        }
        else
        {
            var tensors = Shared(candidate, "gbq", () => AddGatherBlockQuantizedTensors(candidate));
            ReplaceInputs(node, [tensors[0], node.Input[1], .. tensors.Skip(1)]);
            Retarget(node, "GatherBlockQuantized",
                IntAttribute("bits", 4),
                IntAttribute("block_size", candidate.BlockSize),
                IntAttribute("gather_axis", 0),
                IntAttribute("quantize_axis", 1));
        }
    }

    private string[] Shared(Int4Candidate candidate, string form, Func<string[]> create)
    {
        if (!_done.TryGetValue(candidate.Graph, out var byWeight))
        {
            _done[candidate.Graph] = byWeight = new Dictionary<string, string[]>(StringComparer.Ordinal);
        }

        var key = form + (candidate.Transposed ? "\nT\n" : "\n") + candidate.Weight.Name;
        if (!byWeight.TryGetValue(key, out var names))
        {
            byWeight[key] = names = create();
        }

        return names;
    }

    /// <summary>With AWQ scales for the candidate's weight: its MatMul reads x·(1/s) instead of x.</summary>
    private void DivideInputByAwqScales(Int4Candidate candidate)
    {
        // An 8-bit MatMul reads its weight unscaled, even where a 4-bit reader of the same weight was scaled.
        if (candidate.Target != Int4Target.MatMul || candidate.Bits != 4 || !_divisors.TryGetValue(candidate.Graph, out var byWeight) || !byWeight.TryGetValue(candidate.Weight.Name, out var divisor))
        {
            return;
        }

        var node = candidate.Node;
        var mul = new NodeProto { OpType = "Mul", Name = _context.Names.Fresh(node.Name + "_awq_scale") };
        mul.Input.Add(node.Input[0]);
        mul.Input.Add(divisor);
        mul.Output.Add(_context.Names.Fresh(node.Input[0] + "_awq_scaled"));
        node.Input[0] = mul.Output[0];
        candidate.Graph.Node.Add(mul); // the engine sorts nodes topologically before writing.
    }

    private Int4QuantizedRows Quantize(Int4Candidate candidate)
    {
        var tensor = candidate.Weight.Tensor;
        if (Hessian(candidate) is { } hessian)
        {
            // GPTQ and AWQ take B as [K, N].
            var values = candidate.Transposed ? MatrixTranspose.Of(tensor.FloatView(), candidate.Rows, candidate.Length) : tensor.ReadFloats();
            if (_context.Options.Int4Method != Int4Method.Awq)
            {
                return Gptq.Quantize(values, candidate.Length, candidate.Rows, hessian, candidate.BlockSize, Symmetric, _context.Options.GptqActOrder);
            }

            var awq = Awq.Quantize(values, candidate.Length, candidate.Rows, hessian, candidate.BlockSize, Symmetric);
            if (awq.InputScales is { } scales)
            {
                var reciprocals = scales.Select(v => 1 / v).ToArray();
                if (!_divisors.TryGetValue(candidate.Graph, out var byWeight))
                {
                    _divisors[candidate.Graph] = byWeight = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                byWeight[candidate.Weight.Name] = AddInitializer(candidate.Graph,
                    TensorValues.Create<float>(_context.Names.Fresh(candidate.Weight.Name + "_awq_divisor"), DataType.Float, [reciprocals.Length], reciprocals));
            }

            return awq.Rows;
        }

        // The quantized vectors: B [K, N] row-major quantizes each output column along K, so it is transposed; an
        // embedding [V, D] or a weight read through a Transpose ([N, K]) already holds them as rows and is read in place,
        // which matters for the largest tensor of a decoder (a tied embedding and lm_head of hundreds of MB).
        var rows = candidate.Target == Int4Target.MatMul && !candidate.Transposed
            ? MatrixTranspose.Of(tensor.FloatView(), candidate.Length, candidate.Rows)
            : tensor.ReadFloatMemory();
        return _context.Options.Int4Method == Int4Method.Hqq
            ? Hqq.QuantizeRows(rows, candidate.Rows, candidate.Length, candidate.BlockSize, Symmetric)
            : Int4BlockQuantizer.QuantizeRows(rows, candidate.Rows, candidate.Length, candidate.BlockSize, Symmetric);
    }

    /// <summary>
    /// XᵀX for a MatMul weight when the run has them (Int4Method=Gptq or Awq) and its input was observed; null for
    /// embeddings and MatMuls calibration never reached. (The pass rewrites only weights it found finite.)
    /// </summary>
    private double[]? Hessian(Int4Candidate candidate) =>
        candidate.Target == Int4Target.MatMul && _context.Hessians is { } hessians && hessians.TryGetValue(candidate.Node.Input[0], out var hessian)
        && hessian.Length == (long)candidate.Length * candidate.Length
            ? hessian
            : null;

    private string[] AddMatMulNBitsTensors(Int4Candidate candidate)
    {
        byte[] b;
        float[] scales;
        byte[]? zeroPoints;
        int blocksPerRow = (candidate.Length + candidate.BlockSize - 1) / candidate.BlockSize;
        // B is [K, N] row-major; round-to-nearest's fused path quantizes and packs each column along K without a
        // transposed copy. Non-finite weights take the element-wise path, which defines what they become.
        if (_context.Options.Int4Method == Int4Method.Rtn && !candidate.Transposed && Int4ColumnBlocks.Quantize(candidate.Weight.Tensor.ReadFloatMemory(), candidate.Length, candidate.Rows, candidate.BlockSize, Symmetric) is { } fused)
        {
            (b, scales) = (fused.B, fused.Scales);
            zeroPoints = Symmetric ? null : Int4Layouts.PackZeroPointsPerRow(fused.ZeroPoints, candidate.Rows, blocksPerRow);
        }
        else
        {
            (b, scales, zeroPoints) = Int4Layouts.MatMulNBits(Quantize(candidate));
        }

        var name = candidate.Weight.Name;
        var names = new List<string>
        {
            AddInitializer(candidate.Graph, TensorValues.Create(_context.Names.Fresh(name + "_Q4"), DataType.Uint8, [candidate.Rows, blocksPerRow, candidate.BlockSize / 2], b)),
            AddInitializer(candidate.Graph, TensorValues.Create<float>(_context.Names.Fresh(name + "_scales"), DataType.Float, [scales.Length], scales)),
        };
        if (zeroPoints is not null)
        {
            names.Add(AddInitializer(candidate.Graph, TensorValues.Create(_context.Names.Fresh(name + "_zero_points"), DataType.Uint8, [zeroPoints.Length], zeroPoints)));
        }

        return [.. names];
    }

    /// <summary>
    /// 8-bit MatMulNBits tensors: B uint8 [N, k_blocks, block_size], scales, and (asymmetric) one uint8 zero point per
    /// block. Round to nearest whatever Int4Method says: 8-bit rounding error is a sixteenth of 4-bit's.
    /// </summary>
    private string[] AddEightBitMatMulNBitsTensors(Int4Candidate candidate)
    {
        var values = candidate.Transposed ? MatrixTranspose.Of(candidate.Weight.Tensor.FloatView(), candidate.Rows, candidate.Length) : candidate.Weight.Tensor.ReadFloats();
        var blocks = EightBitBlocks.Quantize(values, candidate.Length, candidate.Rows, candidate.BlockSize, Symmetric);
        int blocksPerRow = (candidate.Length + candidate.BlockSize - 1) / candidate.BlockSize;
        var name = candidate.Weight.Name;
        var names = new List<string>
        {
            AddInitializer(candidate.Graph, TensorValues.Create(_context.Names.Fresh(name + "_Q8"), DataType.Uint8, [candidate.Rows, blocksPerRow, candidate.BlockSize], blocks.B)),
            AddInitializer(candidate.Graph, TensorValues.Create<float>(_context.Names.Fresh(name + "_scales"), DataType.Float, [blocks.Scales.Length], blocks.Scales)),
        };
        if (blocks.ZeroPoints is { } zeroPoints)
        {
            names.Add(AddInitializer(candidate.Graph, TensorValues.Create(_context.Names.Fresh(name + "_zero_points"), DataType.Uint8, [zeroPoints.Length], zeroPoints)));
        }

        return [.. names];
    }

    private string[] AddGatherBlockQuantizedTensors(Int4Candidate candidate)
    {
        var rows = Quantize(candidate);
        var (data, scales, zeroPoints) = Int4Layouts.GatherBlockQuantized(rows);
        var name = candidate.Weight.Name;
        var names = new List<string>
        {
            AddInitializer(candidate.Graph, TensorValues.Create(_context.Names.Fresh(name + "_Q4"), DataType.Uint8, [rows.Rows, rows.Length / 2], data)),
            AddInitializer(candidate.Graph, TensorValues.Create<float>(_context.Names.Fresh(name + "_scales"), DataType.Float, [rows.Rows, rows.BlocksPerRow], scales)),
        };
        if (zeroPoints is not null)
        {
            names.Add(AddInitializer(candidate.Graph, TensorValues.Create(_context.Names.Fresh(name + "_zero_points"), DataType.Uint8, [rows.Rows, (rows.BlocksPerRow + 1) / 2], zeroPoints)));
        }

        return [.. names];
    }

    private string AddDequantizeLinear(Int4Candidate candidate)
    {
        var rows = Quantize(candidate);
        bool alongK = candidate.Target == Int4Target.MatMul && !candidate.Transposed;
        var (data, dataDims, scales, zeroPoints, parameterDims) = Int4Layouts.Dequantizable(rows, alongK);
        var name = candidate.Weight.Name;
        var type = Symmetric ? DataType.Int4 : DataType.Uint4;
        var dq = new NodeProto { OpType = "DequantizeLinear", Name = _context.Names.Fresh(name + "_DequantizeLinear") };
        dq.Input.Add(AddInitializer(candidate.Graph, TensorValues.Create(_context.Names.Fresh(name + "_Q4"), type, dataDims, data)));
        dq.Input.Add(AddInitializer(candidate.Graph, TensorValues.Create<float>(_context.Names.Fresh(name + "_scales"), DataType.Float, parameterDims, scales)));
        if (zeroPoints is not null)
        {
            dq.Input.Add(AddInitializer(candidate.Graph, TensorValues.Create(_context.Names.Fresh(name + "_zero_points"), type, parameterDims, zeroPoints)));
        }

        var output = _context.Names.Fresh(name + "_dequantized");
        dq.Output.Add(output);
        dq.Attribute.Add(IntAttribute("axis", alongK ? 0 : 1));
        dq.Attribute.Add(IntAttribute("block_size", candidate.BlockSize));
        candidate.Graph.Node.Add(dq); // the engine sorts nodes topologically before writing.
        return output;
    }

    private string AddInitializer(GraphProto graph, TensorProto tensor)
    {
        graph.Initializer.Add(tensor);
        if (_context.Model.IrVersion < 4)
        {
            // IR 3 required every initializer to be declared as a graph input as well.
            graph.Input.Add(ValueInfoOf(tensor));
        }

        return tensor.Name;
    }

    private static ValueInfoProto ValueInfoOf(TensorProto tensor)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(tensor.Dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        return new ValueInfoProto
        {
            Name = tensor.Name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = tensor.DataType, Shape = shape } },
        };
    }

    private static void ReplaceInputs(NodeProto node, IEnumerable<string> inputs)
    {
        var list = inputs.ToList();
        node.Input.Clear();
        node.Input.AddRange(list);
    }

    private static void Retarget(NodeProto node, string opType, params AttributeProto[] attributes)
    {
        node.OpType = opType;
        node.Domain = Opsets.Microsoft;
        node.Attribute.Clear();
        node.Attribute.AddRange(attributes);
    }

    private static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

}
