namespace Quantize.Cli.Output;

/// <summary>Writes rows as space-padded columns, indented by two spaces (no box drawing: logs and pipes stay readable).</summary>
internal static class Table
{
    /// <summary>Writes <paramref name="rows"/>; columns listed in <paramref name="rightAligned"/> are right-aligned (numbers).</summary>
    public static void Write(TextWriter writer, IEnumerable<string[]> rows, int[]? rightAligned = null)
    {
        var list = rows.ToList();
        if (list.Count == 0)
        {
            writer.WriteLine("  (none)");
            return;
        }

        int columns = list.Max(r => r.Length);
        var widths = new int[columns];
        foreach (var row in list)
        {
            for (int c = 0; c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        foreach (var row in list)
        {
            var cells = row.Select((cell, c) => rightAligned?.Contains(c) == true ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
            writer.WriteLine("  " + string.Join("  ", cells).TrimEnd());
        }
    }
}
