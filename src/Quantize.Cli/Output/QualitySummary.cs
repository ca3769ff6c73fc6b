using System.Globalization;
using Quantize.Core.Evaluation;

namespace Quantize.Cli.Output;

/// <summary>
/// The quality check for people: where the evaluation samples came from, one row of metrics per output, the
/// speed line, the gates and the notes. Printed with the summary, and before the QNT0018 line when a gate fails.
/// </summary>
internal static class QualitySummary
{
    private static readonly string[] Header = ["  output", "cosine", "SQNR dB", "max abs", "rel L2", "top-1"];

    /// <summary>Writes <paramref name="report"/>.</summary>
    public static void Write(TextWriter writer, QualityReport report)
    {
        if (report.Evaluation is { } evaluation)
        {
            writer.WriteLine($"  Accuracy vs float, on {evaluation.DataSource}:");
            var rows = new List<string[]> { Header };
            rows.AddRange(evaluation.Outputs.Select(o => new[]
            {
                "  " + o.Output,
                Invariant($"{o.Cosine:0.000000}"),
                Number(o.SqnrDb, "0.00"),
                Number(o.MaxAbsError, "0.####"),
                Number(o.RelativeL2, "0.0000"),
                o.Top1Agreement is double top1 ? Invariant($"{top1:0.00%}") : "-",
            }));
            Table.Write(writer, rows, rightAligned: [1, 2, 3, 4, 5]);
        }

        if (report.Decoder is { } decoder)
        {
            writer.WriteLine(Invariant($"  Speed (this machine's CPU, decoder): {decoder.Describe()}"));
        }
        else if (report.Speed is { } speed)
        {
            writer.WriteLine(Invariant(
                $"  Speed (this machine's CPU, median of {speed.Runs} interleaved runs each): float {speed.FloatMedianMs:0.###} ms, quantized {speed.QuantizedMedianMs:0.###} ms, speedup {speed.Speedup:0.00}x"));
        }

        if (!report.Gates.IsEmpty)
        {
            writer.WriteLine(report.Failures.Count == 0
                ? $"  Gates passed: {string.Join(", ", Gates(report.Gates))}"
                : $"  Gates failed: {string.Join("; ", report.Failures.Select(f => GateFailureMessage.Describe(f, report)))}");
        }

        foreach (var note in report.Notes)
        {
            writer.WriteLine($"  Note: {note}");
        }
    }

    private static IEnumerable<string> Gates(QualityGates gates) =>
        new (string Name, double? Value)[]
        {
            (GateChecker.MinCosine, gates.MinCosine),
            (GateChecker.MinSqnr, gates.MinSqnr),
            (GateChecker.MaxTop1Drop, gates.MaxTop1Drop),
            (GateChecker.MinSpeedup, gates.MinSpeedup),
        }.Where(g => g.Value is not null).Select(g => Invariant($"{g.Name} {g.Value}"));

    /// <summary>Infinities as words: a model compared with an identical output has infinite SQNR.</summary>
    private static string Number(double value, string format) => value switch
    {
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        _ => value.ToString(format, CultureInfo.InvariantCulture),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
