using Quantize.Core.Onnx;

namespace Quantize.Core.Graph;

/// <summary>Reads a node's attributes by name (null when absent, so callers state the ONNX default).</summary>
internal static class NodeAttributes
{
    /// <summary>The attribute named <paramref name="name"/>, or null.</summary>
    public static AttributeProto? Find(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);
}
