using Quantize.Core.Evaluation;
using Quantize.Core.Onnx;

namespace Quantize.Core.Tests.Reporting;

/// <summary>
/// Quality reports shaped like the ones the quality check produces: the MiniLM one uses the real model's
/// size and the names and op types of its real MatMul/Gemm nodes; the metric values are plausible
/// INT8 numbers (the report renders them, it does not compute them).
/// </summary>
internal static class ReportSamples
{
    /// <summary>Names that break naive HTML, SVG attributes, Markdown tables, MSBuild attributes and file-name handling.</summary>
    public static readonly string[] HostileNames =
    [
        "<script>alert('x')</script>",
        "a&b \"quoted\" 'single'",
        "pipe|name|table",
        "back`tick``fence```",
        "**bold** _em_ [link](https://example.com/x.png) ![img](y.png)",
        "]]><!-- comment --> <![CDATA[x]]>",
        "$(Property)@(Item)%(Meta)%41",
        "注意/層.0/MatMul 🙂",
        "semi;colon,comma",
        "&amp; &lt; already-escaped &#39;",
    ];

    private static readonly Lazy<(long Bytes, IReadOnlyList<(string Node, string OpType)> Layers)> MiniLm = new(() =>
    {
        var (model, bytes) = ModelReader.Load(RealModels.MiniLmPath);
        var layers = model.Graph.Node.Where(n => n.OpType is "MatMul" or "Gemm").Select(n => (n.Name, n.OpType)).ToList();
        return (bytes, layers);
    });

    /// <summary>MiniLM INT8 after AutoMixedPrecision: every part present, gates passed, three nodes returned to FP32/FP16.</summary>
    public static QualityReport MiniLmInt8()
    {
        var (bytes, nodes) = MiniLm.Value;
        var report = new QualityReport
        {
            ModelPath = RealModels.MiniLmPath,
            Precision = "Int8",
            BytesBefore = bytes,
            BytesAfter = bytes * 26 / 100,
            Evaluation = new EvaluationResult(
            [
                new OutputMetrics("last_hidden_state", 0.99617, 21.37, 0.4213, 0.0855, null),
                new OutputMetrics("924", 0.99864, 25.02, 0.0311, 0.0561, null),
            ], 50, "validation data (50 samples)"),
            Speed = new SpeedResult(18.42, 7.97, 40),
            Gates = new QualityGates { MinCosine = 0.995, MinSpeedup = 1.2 },
        };
        report.Layers.AddRange(Layers(nodes, seed: 5));
        report.Fallbacks.Add(new(nodes[^1].Node, "FP32"));
        report.Fallbacks.Add(new(nodes[3].Node, "FP32"));
        report.Fallbacks.Add(new(nodes[7].Node, "FP16"));
        report.Notes.Add("Evaluated on validation data (50 samples).");
        report.Notes.Add("AutoMixedPrecision kept 3 nodes in higher precision to meet MinCosine 0.995.");
        return report;
    }

    /// <summary>A classifier whose gates failed: top-1 agreement declared, MaxTop1Drop and MinSpeedup missed, slower than float.</summary>
    public static QualityReport FailedClassifier()
    {
        var report = new QualityReport
        {
            ModelPath = "/src/models/resnet18.onnx",
            Precision = "Int8 static",
            BytesBefore = 46_827_520,
            BytesAfter = 11_976_704,
            Evaluation = new EvaluationResult([new OutputMetrics("logits", 0.98712, 14.9, 2.31, 0.179, 0.94)], 18, "held-out calibration samples (4 of 18)"),
            Speed = new SpeedResult(9.8, 11.2, 30),
            Gates = new QualityGates { MaxTop1Drop = 0.01, MinSpeedup = 1.1, MinSqnr = 12 },
        };
        report.Failures.Add(new GateFailure("MaxTop1Drop", 0.01, 0.06, "logits"));
        report.Failures.Add(new GateFailure("MinSpeedup", 1.1, 9.8 / 11.2, null));
        report.Layers.AddRange(Layers([.. Enumerable.Range(0, 21).Select(i => ($"resnetv22_conv{i}_fwd", "Conv"))], seed: 7));
        return report;
    }

    /// <summary>Only the size is known: no data, speed check skipped, no sensitivity analysis, no gates.</summary>
    public static QualityReport SizeOnly() => new()
    {
        ModelPath = "/src/models/tiny.onnx",
        Precision = "Fp16",
        BytesBefore = 1_234_567,
        BytesAfter = 618_000,
    };

    /// <summary>Every name hostile: outputs, layers, op types, fallbacks, notes and the precision itself.</summary>
    public static QualityReport Hostile()
    {
        var report = new QualityReport
        {
            ModelPath = "/tmp/<weird> & \"path\"/model.onnx",
            Precision = "Int8 <dynamic>",
            BytesBefore = 5_000_000,
            BytesAfter = 1_300_000,
            Evaluation = new EvaluationResult([.. HostileNames.Take(3).Select((n, i) => new OutputMetrics(n, 0.999 - i * 0.001, 30 - i, 0.01, 0.02, i == 0 ? 0.98 : null))], 12, "validation <data> & more"),
            Gates = new QualityGates { MinCosine = 0.99 },
        };
        report.Layers.AddRange(Layers([.. HostileNames.Select((n, i) => (n, i % 2 == 0 ? "MatMul" : "Op<&>\"'"))], seed: 11));
        foreach (var name in HostileNames.Take(6))
        {
            report.Fallbacks.Add(new(name, "FP32"));
        }

        report.Fallbacks.Add(new("semi;colon,comma", "FP32"));
        report.Notes.Add("A note with <b>markup</b> & a | pipe and `code`.");
        return report;
    }

    /// <summary>A large decoder: <paramref name="count"/> layers whose errors span five decades.</summary>
    public static QualityReport Large(int count)
    {
        var report = new QualityReport { ModelPath = "/src/models/decoder.onnx", Precision = "Int4", BytesBefore = 2_700_000_000, BytesAfter = 760_000_000 };
        report.Layers.AddRange(Layers([.. Enumerable.Range(0, count).Select(i => ($"/model/layers.{i / 7}/{(i % 7 < 4 ? "self_attn" : "mlp")}/proj_{i % 7}/MatMul", "MatMulNBits"))], seed: 3, decades: 5));
        return report;
    }

    /// <summary>Layer errors log-uniform over <paramref name="decades"/> decades below 0.3, listed in the given node order (not sorted).</summary>
    private static IEnumerable<LayerSensitivity> Layers(IReadOnlyList<(string Node, string OpType)> nodes, int seed, double decades = 2.5)
    {
        var random = new Random(seed);
        foreach (var (node, opType) in nodes)
        {
            double error = 0.3 * Math.Pow(10, -decades * random.NextDouble());
            double? gain = random.Next(3) == 0 ? null : error * 0.01 * random.NextDouble();
            yield return new LayerSensitivity(node, opType, error, gain);
        }
    }
}
