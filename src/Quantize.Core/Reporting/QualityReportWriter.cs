using Quantize.Core.Evaluation;

namespace Quantize.Core.Reporting;

/// <summary>
/// Writes a model's quality report as <c>&lt;modelName&gt;.quantize-report.html</c> (self-contained page with
/// the per-layer chart) and <c>&lt;modelName&gt;.quantize-report.md</c> (summary for pull requests and CI).
/// The bytes depend only on the report: no timestamps, invariant culture, fixed number formats, LF line ends.
/// </summary>
public static class QualityReportWriter
{
    /// <summary>The file name suffix shared by both files, before the extension.</summary>
    public const string Suffix = ".quantize-report";

    /// <summary>The two files' paths for <paramref name="stem"/> (a folder and model name, or a cache entry's stem).</summary>
    public static (string HtmlPath, string MarkdownPath) PathsFor(string stem) => (stem + Suffix + ".html", stem + Suffix + ".md");

    /// <summary>Writes both files atomically into <paramref name="directory"/> (created when missing) and returns their full paths.</summary>
    /// <param name="report">What the quality check found.</param>
    /// <param name="directory">Where to write (the build's intermediate folder, or next to the CLI's output).</param>
    /// <param name="modelName">The model's name, used in the page title and the file names; must be a valid file name.</param>
    /// <exception cref="ArgumentException"><paramref name="modelName"/> is empty or not a valid file name.</exception>
    /// <exception cref="Diagnostics.QuantizeException">QNT0008 when a file cannot be written.</exception>
    public static (string HtmlPath, string MarkdownPath) Write(QualityReport report, string directory, string modelName)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        if (modelName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || modelName.Contains('/', StringComparison.Ordinal) || modelName.Contains('\\', StringComparison.Ordinal) || modelName is "." or "..")
        {
            throw new ArgumentException($"'{modelName}' cannot be used in a file name.", nameof(modelName));
        }

        var (htmlPath, markdownPath) = PathsFor(Path.Combine(Path.GetFullPath(directory), modelName));
        AtomicTextFile.Write(htmlPath, HtmlReport.Render(report, modelName));
        AtomicTextFile.Write(markdownPath, MarkdownReport.Render(report, modelName));
        return (htmlPath, markdownPath);
    }
}
