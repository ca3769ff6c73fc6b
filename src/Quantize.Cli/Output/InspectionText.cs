using System.Globalization;
using Quantize.Core.Inspection;

namespace Quantize.Cli.Output;

/// <summary>Renders a <see cref="ModelInspection"/> as aligned plain-text tables.</summary>
internal static class InspectionText
{
    /// <summary>Writes <paramref name="i"/> to <paramref name="writer"/>.</summary>
    public static void Write(TextWriter writer, ModelInspection i)
    {
        var producer = string.Join(" ", new[] { i.ProducerName, i.ProducerVersion }.Where(s => s.Length > 0));
        writer.WriteLine(i.Path);
        writer.WriteLine(Invariant($"  IR version {i.IrVersion}, produced by {(producer.Length > 0 ? producer : "(not recorded)")}, {Sizes.Bytes(i.StoredBytes)} on disk"));
        writer.WriteLine($"  Opsets: {string.Join(", ", i.Opsets.Select(o => Invariant($"{o.Domain} {o.Version}")))}");

        writer.WriteLine();
        WriteSignatures(writer, "Inputs", i.Inputs);
        writer.WriteLine();
        WriteSignatures(writer, "Outputs", i.Outputs);

        writer.WriteLine();
        var nested = i.SubgraphCount > 0 ? Invariant($", {i.NodesInSubgraphs} of them in {i.SubgraphCount} subgraph{(i.SubgraphCount == 1 ? "" : "s")}") : "";
        writer.WriteLine(Invariant($"Operators ({i.NodeCount} nodes{nested})"));
        Table.Write(writer, i.Operators.Select(o => new[]
        {
            o.Domain,
            o.OpType,
            o.Count.ToString(CultureInfo.InvariantCulture),
            o.InSubgraphs > 0 ? Invariant($"({o.InSubgraphs} in subgraphs)") : "",
        }), rightAligned: [2]);

        writer.WriteLine();
        writer.WriteLine($"Parameters ({Sizes.Bytes(i.ParameterBytes)} in initializers and Constant nodes)");
        Table.Write(writer, i.Parameters.Select(p => new[]
        {
            p.ElementType,
            Invariant($"{p.Tensors} tensor{(p.Tensors == 1 ? "" : "s")}"),
            Invariant($"{Sizes.Count(p.Elements)} elements"),
            Sizes.Bytes(p.Bytes),
        }), rightAligned: [1, 2, 3]);

        writer.WriteLine();
        writer.WriteLine(Invariant($"Subgraphs: {i.SubgraphCount}"));
    }

    private static void WriteSignatures(TextWriter writer, string title, IReadOnlyList<TensorSignature> signatures)
    {
        writer.WriteLine(title);
        if (signatures.Count == 0)
        {
            writer.WriteLine("  (none)");
            return;
        }

        Table.Write(writer, signatures.Select(s => new[]
        {
            s.Name,
            s.ElementType,
            s.Shape is null ? "[rank unknown]" : $"[{string.Join(", ", s.Shape)}]",
        }));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
