using System.Text;
using System.Text.RegularExpressions;
using Quantize.Core.Diagnostics;
using Quantize.Core.Safety;

namespace Quantize.Core.Calibration.Data;

/// <summary>
/// Expands calibration sources (files, folders, globs) into a sorted, de-duplicated file list. Ordinal
/// sorting of full paths makes the sample order, and so the ranges, the same on every machine.
/// </summary>
public static class CalibrationFiles
{
    /// <summary>Extensions found when a folder or glob is expanded; an explicitly named file may have any.</summary>
    public static IReadOnlySet<string> Extensions { get; } =
        new HashSet<string>([".npy", ".npz", ".pb", ".png", ".jpg", ".jpeg", ".txt"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Resolves <paramref name="sources"/>; a source that matches nothing is an error (QNT0014).</summary>
    public static IReadOnlyList<string> Resolve(IEnumerable<string> sources, string? baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var root = Path.GetFullPath(baseDirectory ?? Directory.GetCurrentDirectory());
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            var matched = Expand(source, root).ToList();
            if (matched.Count == 0)
            {
                throw new QuantizeException(ErrorCodes.CalibrationDataEmpty, source,
                    $"Calibration data '{source}' matches no file (relative to '{root}'; supported: {string.Join(", ", Extensions.Order(StringComparer.Ordinal))}).");
            }

            files.UnionWith(matched);
        }

        return [.. files];
    }

    private static IEnumerable<string> Expand(string source, string root)
    {
        if (source.IndexOfAny(['*', '?']) < 0)
        {
            var path = Path.GetFullPath(source, root);
            if (File.Exists(path))
            {
                InputFiles.RequireRegular(path, "calibration file", ErrorCodes.CalibrationFileUnreadable, path);
                return [path];
            }

            return Directory.Exists(path) ? Supported(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)) : [];
        }

        // The glob's fixed leading folders are where the search starts; the rest is matched as a pattern.
        var normalized = source.Replace('\\', '/');
        var segments = normalized.Split('/');
        int fixedCount = 0;
        while (fixedCount < segments.Length - 1 && segments[fixedCount].IndexOfAny(['*', '?']) < 0)
        {
            fixedCount++;
        }

        var start = Path.GetFullPath(fixedCount == 0 ? "." : string.Join('/', segments[..fixedCount]) + "/", root);
        if (!Directory.Exists(start))
        {
            return [];
        }

        var pattern = GlobRegex(string.Join('/', segments[fixedCount..]));
        return Supported(Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories)
            .Where(f => pattern.IsMatch(Path.GetRelativePath(start, f).Replace('\\', '/'))));
    }

    /// <summary>Data files by extension; a FIFO, device or socket among them is refused, never opened.</summary>
    private static IEnumerable<string> Supported(IEnumerable<string> files) =>
        files.Where(f => Extensions.Contains(Path.GetExtension(f))).Select(Path.GetFullPath).Select(f =>
        {
            InputFiles.RequireRegular(f, "calibration file", ErrorCodes.CalibrationFileUnreadable, f);
            return f;
        });

    private static Regex GlobRegex(string glob)
    {
        var pattern = new StringBuilder("^");
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                bool slash = i + 2 < glob.Length && glob[i + 2] == '/';
                pattern.Append(slash ? "(.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                pattern.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return new Regex(pattern.Append('$').ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
