using Quantize.Core.Reporting;

namespace Quantize.Core.Tests.Reporting;

public sealed class MarkdownReportTests
{
    /// <summary>Splits a GitHub table row on unescaped pipes and un-escapes the cells, as a Markdown renderer would.</summary>
    private static List<string> Cells(string row)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        for (int i = 1; i < row.Length; i++)
        {
            if (row[i] == '\\' && i + 1 < row.Length)
            {
                cell.Append(row[++i]);
            }
            else if (row[i] == '|')
            {
                cells.Add(cell.ToString().Trim());
                cell.Clear();
            }
            else
            {
                cell.Append(row[i]);
            }
        }

        return cells;
    }

    /// <summary>The body rows of the table under the heading <paramref name="heading"/>.</summary>
    private static List<List<string>> Table(string markdown, string heading)
    {
        var lines = markdown.Split('\n');
        int start = Array.IndexOf(lines, "## " + heading);
        Assert.True(start >= 0, $"no '## {heading}' section");
        var rows = lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).ToList();
        Assert.True(rows.Count >= 2, $"no table under '{heading}'");
        Assert.Matches(@"^\|(-+:?\|)+$", rows[1]);
        int columns = Cells(rows[0]).Count;
        var body = rows.Skip(2).Select(Cells).ToList();
        Assert.All(body, r => Assert.Equal(columns, r.Count));
        return body;
    }

    [Fact]
    public void Summary_has_the_same_facts_as_the_page_in_tables()
    {
        var report = ReportSamples.MiniLmInt8();
        var md = MarkdownReport.Render(report, "MiniLM");

        Assert.StartsWith("# Quantization report: MiniLM\n", md, StringComparison.Ordinal);
        Assert.Contains("**All gates passed.**", md, StringComparison.Ordinal);
        Assert.Equal(["Float", "Int8"], Table(md, "Size").Select(r => r[0]));
        Assert.Equal(report.Evaluation!.Outputs.Select(o => o.Output), Table(md, "Accuracy").Select(r => r[0]));
        Assert.Equal("0.9962", Table(md, "Accuracy")[0][1]);
        Assert.Equal(["Float", "Int8"], Table(md, "Latency").Select(r => r[0]));
        Assert.Equal(["MinCosine", "MinSpeedup"], Table(md, "Gates").Select(r => r[0]));
        Assert.Equal(report.Fallbacks.Select(f => f.Key), Table(md, "Fallback decisions").Select(r => r[0]));
        Assert.Contains("- " + report.Notes[0].Replace(".", ".", StringComparison.Ordinal), md, StringComparison.Ordinal);
    }

    [Fact]
    public void Layer_table_lists_the_top_layers_by_error()
    {
        var report = ReportSamples.MiniLmInt8();
        var rows = Table(MarkdownReport.Render(report, "MiniLM"), "Per-layer error");

        Assert.Equal(MarkdownReport.TopLayers, rows.Count);
        var expected = report.Layers.OrderByDescending(l => l.LocalError).Take(MarkdownReport.TopLayers).Select(l => l.Node);
        Assert.Equal(expected, rows.Select(r => r[1]));
        Assert.Equal(Enumerable.Range(1, MarkdownReport.TopLayers).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), rows.Select(r => r[0]));
        var kept = report.Fallbacks.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        Assert.All(rows, r => Assert.Equal(kept.Contains(r[1]) ? "yes" : "", r[5]));
    }

    [Fact]
    public void Hostile_names_are_escaped_so_tables_keep_their_shape_and_no_markup_leaks()
    {
        var report = ReportSamples.Hostile();
        var md = MarkdownReport.Render(report, "Hostile");

        // The table helper checks every row has as many cells as the header: an unescaped '|' would add one.
        Assert.Equal(report.Layers.OrderByDescending(l => l.LocalError).Select(l => l.Node), Table(md, "Per-layer error").Select(r => r[1]));
        Assert.Equal(report.Evaluation!.Outputs.Select(o => o.Output), Table(md, "Accuracy").Select(r => r[0]));
        Assert.Equal(report.Fallbacks.Select(f => f.Key), Table(md, "Fallback decisions").Select(r => r[0]));
        Assert.DoesNotContain("<script>", md, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", md, StringComparison.Ordinal);
        // Link and image syntax is broken up by escapes: the brackets are text, nothing is linked or fetched.
        // (Inside the Exclude code block names are verbatim, as they must be to paste; code is never a link.)
        var fence = System.Text.RegularExpressions.Regex.Match(md, @"\n(`{3,})xml\n(?<code>[^\n]*)\n\1\n");
        Assert.True(fence.Success, "no Exclude code block");
        Assert.StartsWith("<Exclude>", fence.Groups["code"].Value, StringComparison.Ordinal);
        Assert.True(fence.Groups[1].Length > 3, "the fence must be longer than the ``` inside a name");
        var prose = md.Remove(fence.Index, fence.Length);
        Assert.DoesNotContain("[link](", prose, StringComparison.Ordinal);
        Assert.Contains("!\\[img\\](y.png)", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_parts_are_sentences_not_tables()
    {
        var md = MarkdownReport.Render(ReportSamples.SizeOnly(), "tiny");

        Assert.Single(md.Split('\n'), l => l == "| Model | Size | Bytes |");
        Assert.Equal(2, md.Split('\n').Count(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| Model", StringComparison.Ordinal)));
        Assert.Contains("Accuracy was not measured", md, StringComparison.Ordinal);
        Assert.Contains("speed check did not run", md, StringComparison.Ordinal);
        Assert.Contains("No gates were set", md, StringComparison.Ordinal);
        Assert.Contains("not analysed", md, StringComparison.Ordinal);
        Assert.DoesNotContain("## Notes", md, StringComparison.Ordinal);
    }
}
