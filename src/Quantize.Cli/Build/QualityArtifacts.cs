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
        if (model.ReportHtml.Length > 0)
        {
            SaveReport(entryPath, model.ReportHtml, model.ReportMarkdown);
        }

        FileUpdate.WriteIfChanged(CacheStem(entryPath) + SummarySuffix, new UTF8Encoding(false).GetBytes(summaryLine));
    }

    /// <summary>Copies a written report (HTML and Markdown) beside the cache entry being produced; the CLI's <c>--report</c> files go this way too.</summary>
    public static void SaveReport(string entryPath, string html, string markdown)
    {
        var (savedHtml, savedMarkdown) = QualityReportWriter.PathsFor(CacheStem(entryPath));
        File.Copy(html, savedHtml, overwrite: true);
        File.Copy(markdown, savedMarkdown, overwrite: true);
    }

    /// <summary>Copies the report saved with an entry to <paramref name="html"/> and <paramref name="markdown"/>; false when the entry has none.</summary>
    public static bool RestoreReport(string entryPath, string html, string markdown)
    {
        var (savedHtml, savedMarkdown) = QualityReportWriter.PathsFor(CacheStem(entryPath));
        var saved = new[] { (savedHtml, html), (savedMarkdown, markdown) };
        if (!saved.All(s => File.Exists(s.Item1)))
        {
            return false;
        }

        foreach (var (cached, output) in saved)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            FileUpdate.WriteIfChanged(output, File.ReadAllBytes(cached));
        }

        return true;
    }

    /// <summary>
    /// For a reused entry: copies its saved report into the outputs and returns its summary line, or null when
    /// the entry was made without a quality check. Outputs of an earlier check that no longer applies are deleted.
    /// </summary>
    public static string? RestoreFromCache(BuildModelRequest model, string entryPath)
    {
        var summary = CacheStem(entryPath) + SummarySuffix;
        bool saved = File.Exists(summary);
        // SaveToCache writes both report files or neither, and the entry's digest keeps it that way.
        if (model.ReportHtml.Length > 0 && !(saved && RestoreReport(entryPath, model.ReportHtml, model.ReportMarkdown)))
        {
            File.Delete(model.ReportHtml);
            File.Delete(model.ReportMarkdown);
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
