using System.Globalization;
using System.Text;
using Quantize.Core.Evaluation;

namespace Quantize.Core.Reporting;

/// <summary>
/// The per-layer error chart: an inline SVG with one horizontal bar per quantized layer, largest error at
/// the top, each labelled with its node name and op type. Every bar is a <c>rect.layer-bar</c> carrying
/// the node name in <c>data-node</c> and a <c>title</c> for the tooltip. The chart grows with the layer
/// count rather than dropping layers: a model with hundreds of layers gets a long, scrollable chart.
/// </summary>
internal static class LayerErrorChart
{
    private const double Width = 960;
    private const double LabelX = 8;
    private const double BarX = 400;
    private const double BarMax = 470;
    private const double RowHeight = 20;
    private const double BarHeight = 14;
    private const double Top = 30;
    private const double Bottom = 10;
    private const int LabelChars = 54;

    /// <summary>The SVG element for <paramref name="layers"/> (already ranked); nodes in <paramref name="kept"/> were returned to higher precision.</summary>
    public static string Render(IReadOnlyList<LayerSensitivity> layers, ChartScale scale, IReadOnlySet<string> kept)
    {
        double height = Top + layers.Count * RowHeight + Bottom;
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg id=\"layer-chart\" class=\"chart\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" role=\"img\" aria-labelledby=\"layer-chart-title layer-chart-desc\">\n"));
        svg.Append("<title id=\"layer-chart-title\">Per-layer error</title>\n");
        svg.Append(Invariant($"<desc id=\"layer-chart-desc\">{layers.Count} quantized layers ranked by the error each adds (relative L2 of its output minus that of its input), on a {(scale.IsLogarithmic ? "logarithmic" : "linear")} scale. The table below lists the same values.</desc>\n"));
        AppendAxis(svg, scale, height);

        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            double y = Top + i * RowHeight;
            double textY = y + RowHeight / 2 + 4;
            double width = BarWidth(layer.LocalError, scale);
            bool isKept = kept.Contains(layer.Node);
            var tooltip = Tooltip(layer, isKept);
            svg.Append("<g class=\"layer-row\">");
            svg.Append(Invariant($"<text class=\"layer-label\" x=\"{LabelX}\" y=\"{textY:0.#}\">{HtmlText.Encode(Shorten(layer.Node))} <tspan class=\"op\">{HtmlText.Encode(layer.OpType)}</tspan></text>"));
            svg.Append(Invariant($"<rect class=\"layer-bar{(isKept ? " kept" : "")}\" data-node=\"{HtmlText.Encode(layer.Node)}\" data-op=\"{HtmlText.Encode(layer.OpType)}\" x=\"{BarX}\" y=\"{y + (RowHeight - BarHeight) / 2:0.#}\" width=\"{width:0.##}\" height=\"{BarHeight}\">"));
            svg.Append("<title>").Append(HtmlText.Encode(tooltip)).Append("</title></rect>");
            svg.Append(Invariant($"<text class=\"layer-value\" x=\"{BarX + width + 4:0.##}\" y=\"{textY:0.#}\">{HtmlText.Encode(ReportNumbers.Error(layer.LocalError))}</text>"));
            svg.Append("</g>\n");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static void AppendAxis(StringBuilder svg, ChartScale scale, double height)
    {
        foreach (double tick in scale.Ticks)
        {
            double x = BarX + scale.Fraction(tick) * BarMax;
            svg.Append(Invariant($"<line class=\"grid\" x1=\"{x:0.##}\" y1=\"{Top - 6}\" x2=\"{x:0.##}\" y2=\"{height - Bottom}\"/>"));
            svg.Append(Invariant($"<text class=\"tick\" x=\"{x:0.##}\" y=\"{Top - 10}\">{HtmlText.Encode(ReportNumbers.Error(tick))}</text>\n"));
        }
    }

    /// <summary>Bar length in pixels; a measurable positive error is never drawn thinner than one pixel.</summary>
    private static double BarWidth(double error, ChartScale scale)
    {
        double width = scale.Fraction(error) * BarMax;
        return error > 0 ? Math.Max(width, 1) : width;
    }

    private static string Tooltip(LayerSensitivity layer, bool kept)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{layer.Node} ({layer.OpType}): error added {ReportNumbers.Error(layer.LocalError)}");
        if (layer.EndToEndGain is { } gain)
        {
            text.Append(CultureInfo.InvariantCulture, $"; keeping it in float changes the worst output cosine by {ReportNumbers.Signed(gain)}");
        }

        if (kept)
        {
            text.Append("; kept in higher precision");
        }

        return text.ToString();
    }

    /// <summary>Long node names keep their start and end (the most telling parts of a path-like name); the tooltip has the full name.</summary>
    private static string Shorten(string name)
    {
        var elements = System.Globalization.StringInfo.GetTextElementEnumerator(name);
        var parts = new List<string>();
        while (elements.MoveNext())
        {
            parts.Add(elements.GetTextElement());
        }

        if (parts.Count <= LabelChars)
        {
            return name;
        }

        int head = (LabelChars - 1) / 2;
        int tail = LabelChars - 1 - head;
        return string.Concat(parts.Take(head)) + "…" + string.Concat(parts.Skip(parts.Count - tail));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
