using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Quantize.Cli.Build.Remote.Protocol;

namespace Quantize.Cli.Build.Remote;

/// <summary>
/// A local cache entry as a remote action entry and back. Each file of the entry (<c>&lt;key&gt;.onnx</c> and its
/// <c>&lt;key&gt;.*</c> side files: external data, warnings, report, summary) becomes an <c>OutputFile</c> named with
/// the neutral stem <c>entry</c> (<c>entry.onnx</c>, <c>entry.warnings.json</c>…), so names never carry a local path,
/// and a downloaded entry can only ever write <c>&lt;key&gt;.&lt;suffix&gt;</c> files in its own cache folder.
/// </summary>
internal static partial class RemoteEntry
{
    /// <summary>The stem that stands for the key in remote file names.</summary>
    private const string Stem = "entry";

    /// <summary>The exit code of a complete entry (the REAPI meaning: the action succeeded).</summary>
    public const int Complete = 0;

    /// <summary>Producer name recorded in every entry, so a server's operator can tell what wrote it.</summary>
    public static string Worker { get; } = "Quantize.Build " + CacheKey.EngineVersion;

    /// <summary>Describes the published entry at <paramref name="entryPath"/> from its recorded digest.</summary>
    public static ActionResult Describe(string entryPath, IReadOnlyList<CacheEntryDigest.FileDigest> files, TimeSpan production)
    {
        var key = Path.GetFileNameWithoutExtension(entryPath);
        var now = DateTimeOffset.UtcNow;
        var action = new ActionResult
        {
            ExitCode = Complete,
            ExecutionMetadata = new ExecutedActionMetadata
            {
                Worker = Worker,
                WorkerStartTimestamp = Timestamp.FromDateTimeOffset(now - production),
                WorkerCompletedTimestamp = Timestamp.FromDateTimeOffset(now),
                VirtualExecutionDuration = Duration.FromTimeSpan(production),
            },
        };
        foreach (var file in files.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (!file.Name.StartsWith(key + ".", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The cache entry {key} lists a file of another entry, '{file.Name}'.");
            }

            action.OutputFiles.Add(new OutputFile
            {
                Path = Stem + file.Name[key.Length..],
                Digest = new Digest { Hash = file.Sha256, SizeBytes = file.Size },
            });
        }

        return action;
    }

    /// <summary>
    /// The files a downloaded entry for <paramref name="key"/> holds, as local file names with their digests; throws
    /// <see cref="InvalidDataException"/> when the entry is not one this worker would have written (another tool's,
    /// or crafted: a path with a folder, an unknown stem, a duplicate, no model, a digest that is not SHA-256).
    /// </summary>
    public static IReadOnlyList<(string FileName, Digest Digest)> Files(ActionResult action, string key)
    {
        if (action.ExitCode != Complete)
        {
            throw new InvalidDataException($"it records exit code {action.ExitCode}, not a complete result");
        }

        var files = new List<(string, Digest)>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var output in action.OutputFiles)
        {
            if (!RemoteName().IsMatch(output.Path) || !names.Add(output.Path))
            {
                throw new InvalidDataException($"it lists the file '{output.Path}', which no Quantize.Build entry has");
            }

            if (output.Digest is not { } digest || !Sha256Hex().IsMatch(digest.Hash) || digest.SizeBytes < 0)
            {
                throw new InvalidDataException($"its file '{output.Path}' has no valid SHA-256 digest");
            }

            files.Add((LocalName(key, output.Path), digest));
        }

        return names.Contains(Stem + ".onnx") ? files : throw new InvalidDataException("it lists no model");
    }

    /// <summary>The local cache file for the remote file <paramref name="remotePath"/> of the entry <paramref name="key"/>.</summary>
    public static string LocalName(string key, string remotePath) => key + remotePath[Stem.Length..];

    /// <summary>How long the producer spent making the entry, when it said.</summary>
    public static TimeSpan? Production(ActionResult action) => action.ExecutionMetadata?.VirtualExecutionDuration?.ToTimeSpan();

    // entry.onnx, entry.warnings.json, entry.quantize-report.html: the stem, then dot-separated plain words.
    [GeneratedRegex(@"^entry(\.[A-Za-z0-9][A-Za-z0-9_-]{0,63}){1,4}$")]
    private static partial Regex RemoteName();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    internal static partial Regex Sha256Hex();
}
