using Google.Protobuf.Collections;

namespace Quantize.Core.Graph;

/// <summary>Filtering a protobuf repeated field in place (it has no RemoveAll).</summary>
internal static class RepeatedFields
{
    /// <summary>Keeps the items <paramref name="keep"/> accepts, in order; the field is left untouched when all pass.</summary>
    public static void KeepOnly<T>(this RepeatedField<T> items, Func<T, bool> keep)
    {
        var kept = items.Where(keep).ToList();
        if (kept.Count != items.Count)
        {
            items.Clear();
            items.AddRange(kept);
        }
    }
}
