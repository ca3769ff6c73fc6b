namespace Quantize.Core.Safety;

/// <summary>
/// The path the operating system actually opens: every symbolic link in every component followed, <c>..</c>
/// applied to the folder a link led to (as the OS does), not to the text before it. <see cref="Path.GetFullPath(string)"/>
/// only normalizes text, so <c>inside/link/../x</c> looks inside while the OS may open a file elsewhere.
/// </summary>
public static class RealPath
{
    /// <summary>As the Linux kernel: more links than this in one resolution is a loop.</summary>
    private const int MaxLinks = 40;

    /// <summary>Resolves <paramref name="path"/> (relative to the current folder when not rooted).</summary>
    public static string Of(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        return Walk(root, full[root.Length..]);
    }

    /// <summary>
    /// Resolves <paramref name="relative"/> against <paramref name="realFolder"/>, a folder that is already a real
    /// path, component by component.
    /// </summary>
    public static string Under(string realFolder, string relative)
    {
        ArgumentNullException.ThrowIfNull(realFolder);
        ArgumentNullException.ThrowIfNull(relative);
        return Walk(realFolder, relative);
    }

    private static string Walk(string start, string relative)
    {
        var pending = new Stack<string>();
        PushComponents(pending, relative);
        var current = start;
        int links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Join(current, part);
            var target = FileKinds.Of(next, followLinks: false) == FileKind.SymbolicLink ? new FileInfo(next).LinkTarget : null;
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"Too many levels of symbolic links resolving '{next}'.");
            }

            PushComponents(pending, target);
            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target)!;
            }
        }

        return current;
    }

    /// <summary>Pushes the components of <paramref name="path"/> so the first is popped first.</summary>
    private static void PushComponents(Stack<string> pending, string path)
    {
        var root = Path.GetPathRoot(path) ?? "";
        var parts = path[root.Length..].Split(
            OperatingSystem.IsWindows() ? ['\\', '/'] : ['/'],
            StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> itself or lies inside it (both real paths).</summary>
    public static bool IsInside(string path, string folder)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var root = Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar;
        return path.StartsWith(root, comparison);
    }

    /// <summary>True when two real paths name the same file.</summary>
    public static bool Same(string a, string b) =>
        string.Equals(a, b, OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
