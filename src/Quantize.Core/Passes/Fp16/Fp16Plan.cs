using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Fp16;

/// <summary>
/// Decides, before anything changes, which type every float32 tensor of the model will have. The model
/// splits into two domains: nodes that run in float16 (everything not kept) and nodes that stay float32
/// (the keep-list, the user's exclusions, and everything inside a kept node's subgraphs). A tensor's home
/// type is its producer's domain; a stored value (initializer, Constant) takes float16 unless only
/// float32 consumers read it; graph inputs and outputs follow KeepIoTypes. Where a consumer wants the
/// other type, the rewriter inserts a Cast.
/// </summary>
internal sealed class Fp16Plan
{
    private readonly Dictionary<NodeProto, bool> _kept = new(ReferenceEqualityComparer.Instance);
    private readonly IReadOnlyDictionary<string, DataType> _types;
    private readonly PassContext _context;

    private Fp16Plan(PassContext context)
    {
        _context = context;
        _types = context.Types;
        var ioType = context.Options.KeepIoTypes ? DataType.Float : DataType.Float16;
        Main = new Fp16Scope(context.Model.Graph, null, ioType);
    }

    /// <summary>The main graph's scope (subgraph scopes hang below it).</summary>
    public Fp16Scope Main { get; }

    /// <summary>Graph outputs of the main graph whose producer now writes another name, with the type the output keeps.</summary>
    public List<(FloatTensor Tensor, DataType OutputType)> RenamedOutputs { get; } = [];

    /// <summary>Plans the conversion of <paramref name="context"/>'s model.</summary>
    public static Fp16Plan Create(PassContext context)
    {
        var plan = new Fp16Plan(context);
        plan.Define(plan.Main, forceKeep: false);
        plan.CollectWants(plan.Main);
        ChooseStoredValueTypes(plan.Main);
        plan.PlanMainOutputs();
        return plan;
    }

    /// <summary>True when <paramref name="node"/> stays in the float32 domain.</summary>
    public bool IsKept(NodeProto node) => _kept.TryGetValue(node, out var kept) && kept;

    /// <summary>The type input <paramref name="slot"/> of <paramref name="node"/> reads a float tensor in.</summary>
    public DataType SlotType(NodeProto node, int slot) =>
        IsKept(node) || Fp16KeepList.IsFloat32Slot(node, slot) ? DataType.Float : DataType.Float16;

    /// <summary>True when <paramref name="name"/> was float32 in the original model.</summary>
    public bool IsFloat32(string name) => _types.TryGetValue(name, out var type) && type == DataType.Float;

    /// <summary>Element type of <paramref name="name"/> in the original model, if known.</summary>
    public DataType? OriginalType(string name) => _types.TryGetValue(name, out var type) ? type : null;

    /// <summary>IR &lt; 4 models list every initializer among the graph inputs; those are weights, not inputs.</summary>
    public bool InitializersAreListedAsInputs => _context.Model.IrVersion < 4;

    private void Define(Fp16Scope scope, bool forceKeep)
    {
        var graph = scope.Graph;
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        foreach (var input in graph.Input)
        {
            if (scope.IsMain && InitializersAreListedAsInputs && initializers.ContainsKey(input.Name))
            {
                continue; // defined below as a stored value
            }

            if (!IsFloat32(input.Name))
            {
                scope.Define(input.Name);
                continue;
            }

            // An IR >= 4 initializer listed as an input is a default the caller may override: it is an input.
            var tensor = scope.DefineFloat(input.Name, FloatTensorKind.GraphInput);
            tensor.Home = scope.BoundaryType;
            tensor.Initializer = initializers.GetValueOrDefault(input.Name);
        }

        foreach (var initializer in graph.Initializer)
        {
            if (scope.DefinesLocally(initializer.Name))
            {
                continue;
            }

            if (initializer.ElementType() == DataType.Float)
            {
                scope.DefineFloat(initializer.Name, FloatTensorKind.StoredValue).Initializer = initializer;
            }
            else
            {
                scope.Define(initializer.Name);
            }
        }

        foreach (var node in graph.Node)
        {
            bool kept = forceKeep || Fp16KeepList.IsKept(node) || _context.Excluded.Matches(node);
            _kept[node] = kept;
            foreach (var output in node.Output)
            {
                if (output.Length == 0)
                {
                    continue;
                }

                if (!IsFloat32(output))
                {
                    scope.Define(output);
                }
                else if (!kept && Fp16Values.IsConvertibleConstant(node))
                {
                    scope.DefineFloat(output, FloatTensorKind.StoredValue, node);
                }
                else
                {
                    scope.DefineFloat(output, FloatTensorKind.NodeOutput, node).Home = kept ? DataType.Float : DataType.Float16;
                }
            }
        }

        foreach (var node in graph.Node)
        {
            bool kept = _kept[node];
            foreach (var subgraph in GraphWalker.Subgraphs(node))
            {
                // A kept control-flow node keeps its whole body in float32: the user excluded it as a unit.
                var child = new Fp16Scope(subgraph, scope, kept ? DataType.Float : DataType.Float16);
                scope.Children.Add(child);
                Define(child, forceKeep: kept);
            }
        }
    }

    private void CollectWants(Fp16Scope scope)
    {
        foreach (var node in scope.Graph.Node)
        {
            for (int slot = 0; slot < node.Input.Count; slot++)
            {
                if (node.Input[slot].Length > 0)
                {
                    scope.Resolve(node.Input[slot])?.Want(SlotType(node, slot));
                }
            }
        }

        foreach (var output in scope.Graph.Output)
        {
            scope.Resolve(output.Name)?.Want(scope.BoundaryType);
        }

        foreach (var child in scope.Children)
        {
            CollectWants(child);
        }
    }

    private static void ChooseStoredValueTypes(Fp16Scope scope)
    {
        foreach (var tensor in scope.FloatTensors)
        {
            if (tensor.Kind == FloatTensorKind.StoredValue)
            {
                // Float16 unless only float32 consumers read it; a value both domains read is stored once
                // in float16 and cast up for the float32 readers.
                tensor.Home = tensor.WantedAsFloat32 && !tensor.WantedAsFloat16 ? DataType.Float : DataType.Float16;
            }
        }

        foreach (var child in scope.Children)
        {
            ChooseStoredValueTypes(child);
        }
    }

    /// <summary>
    /// A main-graph output keeps its name, so when its producer's type differs from the output's type the
    /// producer writes a fresh name and a Cast produces the real one. Deciding this up front lets every
    /// reference (subgraphs included) resolve to the right name in one rewrite.
    /// </summary>
    private void PlanMainOutputs()
    {
        foreach (var output in Main.Graph.Output)
        {
            var tensor = Main.Resolve(output.Name);
            if (tensor is null || tensor.Home == Main.BoundaryType || tensor.CastOutputs.ContainsKey(Main.BoundaryType))
            {
                continue;
            }

            tensor.HomeName = _context.Names.Fresh(tensor.Name + (tensor.Home == DataType.Float16 ? "_fp16" : "_fp32"));
            tensor.CastOutputs[Main.BoundaryType] = tensor.Name;
            RenamedOutputs.Add((tensor, Main.BoundaryType));
        }
    }
}
