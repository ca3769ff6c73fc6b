namespace Quantize.Testing;

/// <summary>
/// Real photographs for calibrating and evaluating vision models: the sample images scikit-image ships,
/// taken from Debian's python3-skimage package without installing it (<c>apt-get download</c> then
/// <c>dpkg-deb -x</c> into a cache folder). The first use downloads (~21 MB); later runs, in this process
/// or another, reuse the extracted files. A machine that cannot fetch the package fails the test with the
/// reason: photos are never replaced by synthetic images silently.
/// </summary>
public static class RealPhotos
{
    private const string Package = "python3-skimage";
    private const string DataFolder = "usr/lib/python3/dist-packages/skimage/data";

    /// <summary>
    /// The photographs among skimage's data files (cameras and microscopes, colour and grey); the package
    /// also holds drawings, palettes, checkerboards and a truncated JPEG, which are not photos of anything.
    /// </summary>
    private static readonly string[] PhotoNames =
    [
        "astronaut.png", "brick.png", "camera.png", "cell.png", "chelsea.png", "coffee.png",
        "coins.png", "grass.png", "gravel.png", "hubble_deep_field.jpg", "ihc.png", "moon.png",
        "motorcycle_left.png", "motorcycle_right.png", "page.png", "retina.jpg", "rocket.jpg", "text.png",
    ];

    private static readonly Lazy<IReadOnlyList<string>> Photos = new(Fetch);

    /// <summary>How long one apt-get or dpkg-deb call may take (the package is about 21 MB).</summary>
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The cache folder; <c>QUANTIZE_PHOTOS_CACHE</c> overrides the default under the temp folder.</summary>
    public static string CacheFolder =>
        Environment.GetEnvironmentVariable("QUANTIZE_PHOTOS_CACHE") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Path.GetTempPath(), "quantize-photos");

    /// <summary>The 18 photographs' full paths, in ordinal file-name order.</summary>
    public static IReadOnlyList<string> All => Photos.Value;

    private static IReadOnlyList<string> Fetch()
    {
        var extracted = Path.Combine(CacheFolder, Package);
        if (!Directory.Exists(extracted))
        {
            Extract(extracted);
        }

        var folder = Path.Combine(extracted, DataFolder);
        var missing = PhotoNames.Where(n => !File.Exists(Path.Combine(folder, n))).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The {Package} package extracted at {extracted} lacks the photos {string.Join(", ", missing)}; delete that folder to fetch it again.");
        }

        return [.. PhotoNames.Order(StringComparer.Ordinal).Select(n => Path.Combine(folder, n))];
    }

    private static void Extract(string extracted) =>
        SharedCacheFolder.Fill(extracted, (work, content) =>
        {
            if (!TryRun("apt-get", ["download", Package], work, out var firstError))
            {
                // A fresh container has empty package lists: refresh them once and try again.
                string? retryError = null;
                if (!TryRun("apt-get", ["update"], work, out var updateError) || !TryRun("apt-get", ["download", Package], work, out retryError))
                {
                    throw new InvalidOperationException(
                        $"Could not fetch the Debian package {Package} (real photos for the vision tests) with apt-get: {firstError} {updateError ?? retryError}".Trim());
                }
            }

            var deb = Directory.EnumerateFiles(work, "*.deb").Single();
            if (!TryRun("dpkg-deb", ["-x", deb, content], work, out var extractError))
            {
                throw new InvalidOperationException($"Could not unpack {deb} with dpkg-deb: {extractError}");
            }
        });

    private static bool TryRun(string program, string[] arguments, string workingDirectory, out string? error)
    {
        try
        {
            var (exitCode, _, stderr) = ChildProcess.Run(program, arguments, FetchTimeout, environment: null, workingDirectory);
            error = exitCode == 0 ? null : $"'{program} {string.Join(' ', arguments)}' exited with {exitCode}: {stderr.Trim()}";
            return exitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            error = $"'{program}' could not be started ({e.Message}); the photo fixture needs a Debian-based machine with apt-get and dpkg-deb.";
            return false;
        }
    }
}
