using System.Text;
using Quantize.Core.Evaluation;
using Quantize.Core.Reporting;

namespace Quantize.Cli.Build;

/// <summary>
/// The quality report of one model in a build: written next to the intermediate outputs (also when a gate fails,
/// so the user can see why), and kept beside the cache entry so a later build that reuses the entry gets the same
/// report and summary line without measuring again.
/// </summary>
internal static class QualityArtifacts
{
    private const string SummarySuffix = ".summary.txt";

    /// <summary>Writes the report to <paramref name="model"/>'s ReportHtml/ReportMarkdown paths.</summary>
    public static void WriteToOutputs(BuildModelRequest model, QualityReport report)
    {
        if (model.ReportHtml.Length == 0)
        {
            return;
        }

        QualityReportWriter.Write(report, Path.GetDirectoryName(model.ReportHtml)!, ReportName(model.ReportHtml));
    }

    /// <summary>Stores the outputs' report files and the summary line beside the cache entry being produced (before it is published).</summary>
    public static void SaveToCache(BuildModelRequest model, string entryPath, string summaryLine)
    {
        var stem = CacheStem(entryPath);
        if (model.ReportHtml.Length > 0)
        {
            File.Copy(model.ReportHtml, stem + QualityReportWriter.Suffix + ".html", overwrite: true);
            File.Copy(model.ReportMarkdown, stem + QualityReportWriter.Suffix + ".md", overwrite: true);
        }

        FileUpdate.WriteIfChanged(stem + SummarySuffix, new UTF8Encoding(false).GetBytes(summaryLine));
    }

    /// <summary>
    /// For a reused entry: copies its saved report into the outputs and returns its summary line, or null when
    /// the entry was made without a quality check. Outputs of an earlier check that no longer applies are deleted.
    /// </summary>
    public static string? RestoreFromCache(BuildModelRequest model, string entryPath)
    {
        var stem = CacheStem(entryPath);
        var summary = stem + SummarySuffix;
        bool saved = File.Exists(summary);
        foreach (var (cached, output) in new[] { (".html", model.ReportHtml), (".md", model.ReportMarkdown) })
        {
            if (output.Length == 0)
            {
                continue;
            }

            var source = stem + QualityReportWriter.Suffix + cached;
            if (saved && File.Exists(source))
            {
                var bytes = File.ReadAllBytes(source);
                FileUpdate.WriteIfChanged(output, bytes);
            }
            else
            {
                File.Delete(output);
            }
        }

        return saved ? File.ReadAllText(summary) : null;
    }

    private static string CacheStem(string entryPath) => Path.ChangeExtension(entryPath, null);

    private static string ReportName(string htmlPath)
    {
        var name = Path.GetFileName(htmlPath);
        return name.EndsWith(QualityReportWriter.Suffix + ".html", StringComparison.Ordinal)
            ? name[..^(QualityReportWriter.Suffix.Length + ".html".Length)]
            : Path.GetFileNameWithoutExtension(name);
    }
}
