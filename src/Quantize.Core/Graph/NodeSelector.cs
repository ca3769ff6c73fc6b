using Quantize.Core.Diagnostics;
using Quantize.Core.Onnx;

namespace Quantize.Core.Graph;

/// <summary>
/// Matches nodes by exact node name or op type (both case-sensitive, as ONNX names are). Every entry
/// must match something: a typo in an exclusion silently quantizing the node would be a nasty surprise,
/// so an unmatched entry is an error that suggests the closest existing name.
/// </summary>
public sealed class NodeSelector
{
    private readonly HashSet<string> _entries;
    private readonly Func<NodeProto, bool>? _predicate;

    private NodeSelector(HashSet<string> entries, Func<NodeProto, bool>? predicate = null)
    {
        _entries = entries;
        _predicate = predicate;
    }

    /// <summary>A selector that matches nothing.</summary>
    public static NodeSelector None { get; } = new([]);

    /// <summary>Builds a selector over <paramref name="model"/>, failing with QNT0006 on an entry that matches no node.</summary>
    public static NodeSelector Create(IEnumerable<string> entries, ModelProto model, string modelPath)
        => Create(entries, model, modelPath, "Exclusion");

    /// <summary>
    /// A selector of every node <em>except</em> those named in <paramref name="names"/>: restricts a pass that
    /// honours exclusions (FP16) to exactly those nodes.
    /// </summary>
    internal static NodeSelector AllExcept(IReadOnlySet<string> names) => new([], node => !names.Contains(node.Name));

    /// <summary>
    /// As <see cref="Create(IEnumerable{string}, ModelProto, string)"/>; <paramref name="kind"/> names the
    /// entries in the error ("Exclusion", "Override selector").
    /// </summary>
    internal static NodeSelector Create(IEnumerable<string> entries, ModelProto model, string modelPath, string kind)
    {
        var set = new HashSet<string>(entries.Select(e => e.Trim()).Where(e => e.Length > 0), StringComparer.Ordinal);
        if (set.Count == 0)
        {
            return None;
        }

        var candidates = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var graph in GraphWalker.AllGraphs(model.Graph))
        {
            foreach (var node in graph.Node)
            {
                candidates.Add(node.OpType);
                if (node.Name.Length > 0)
                {
                    candidates.Add(node.Name);
                }
            }
        }

        foreach (var entry in set.Order(StringComparer.Ordinal))
        {
            if (!candidates.Contains(entry))
            {
                var closest = ClosestMatch.Find(entry, candidates);
                var hint = closest is null ? "The model has no nodes." : $"Did you mean '{closest}'?";
                throw new QuantizeException(ErrorCodes.UnmatchedExclusion, modelPath,
                    $"{kind} '{entry}' matches no node name or op type in the model. {hint}");
            }
        }

        return new NodeSelector(set);
    }

    /// <summary>True when <paramref name="node"/> is selected by name or op type.</summary>
    public bool Matches(NodeProto node) =>
        _predicate is not null ? _predicate(node) : _entries.Count > 0 && (_entries.Contains(node.OpType) || _entries.Contains(node.Name));
}
