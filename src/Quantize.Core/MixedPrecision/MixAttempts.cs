using Quantize.Core.Evaluation;

namespace Quantize.Core.MixedPrecision;

/// <summary>
/// Quantization attempts with extra nodes kept in float, each measured against the float model once: the
/// sensitivity analysis and the search ask for the same mixes (the search's first step is the analysis's
/// best single exclusion), so results are cached by the set of exclusions. Attempts (and the probes' models) are
/// written into the run's one staging folder, under names no output has (<see cref="ScratchName"/>), and deleted once
/// measured; only their measurements are kept.
/// </summary>
internal sealed class MixAttempts : IDisposable
{
    private readonly QualityCheck _check;
    private readonly Dictionary<string, MixAttempt> _done = new(StringComparer.Ordinal);
    private readonly StagedOutput? _ownStaging;
    private int _count;

    /// <summary>Attempts beside <paramref name="stagedPath"/>, a path in the run's <see cref="StagedOutput"/> folder.</summary>
    public MixAttempts(QualityCheck check, string stagedPath)
    {
        _check = check;
        Folder = Path.GetDirectoryName(Path.GetFullPath(stagedPath))!;
    }

    private MixAttempts(QualityCheck check, StagedOutput staging)
        : this(check, staging.ModelPath) => _ownStaging = staging;

    /// <summary>For a run that writes no output (the sensitivity analysis): its own staging folder beside <paramref name="inputPath"/>.</summary>
    public static MixAttempts BesideInput(QualityCheck check, string inputPath) => new(check, StagedOutput.Beside(inputPath));

    /// <summary>The staging folder the attempts and probes are written in.</summary>
    public string Folder { get; }

    /// <summary>A scratch file's name in <see cref="Folder"/>: hidden and prefixed, so it never meets the staged output's own name.</summary>
    public static string ScratchName(string name) => ".quantize-" + name;

    /// <summary>Quantizations run so far (cached mixes not counted).</summary>
    public int Count => _count;

    /// <summary>Records a mix measured elsewhere (the full quantization the caller already checked).</summary>
    public void Add(MixAttempt attempt) => _done.TryAdd(Key(attempt.KeptInFloat), attempt);

    /// <summary>The measurements of the model quantized with <paramref name="keptInFloat"/> excluded.</summary>
    public MixAttempt Measure(IReadOnlyList<string> keptInFloat, IProgress<string>? progress)
    {
        var key = Key(keptInFloat);
        if (_done.TryGetValue(key, out var known))
        {
            return known;
        }

        var path = Path.Combine(Folder, ScratchName($"mix-{_count++}.onnx"));
        progress?.Report($"trying with {keptInFloat.Count} node(s) in float");
        try
        {
            // Not verified separately: the evaluation loads and runs it in ONNX Runtime anyway.
            var result = _check.Attempt(path, keptInFloat, measureSpeed: false, progress: null);
            var attempt = new MixAttempt([.. keptInFloat], result);
            _done[key] = attempt;
            return attempt;
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".data");
        }
    }

    public void Dispose() => _ownStaging?.Dispose();

    private static string Key(IEnumerable<string> names) => string.Join('\n', names.Order(StringComparer.Ordinal));
}

/// <summary>One mix: the nodes kept in float (in decision order) and what quantizing with them excluded gave.</summary>
/// <param name="KeptInFloat">Node names excluded on top of the user's own exclusions.</param>
/// <param name="Result">The quantization's result; its <see cref="QuantizeResult.Quality"/> holds the evaluation.</param>
internal sealed record MixAttempt(IReadOnlyList<string> KeptInFloat, QuantizeResult Result)
{
    /// <summary>The accuracy measurements (the quality check always evaluates when a mix is searched).</summary>
    public EvaluationResult Evaluation => Result.Quality?.Evaluation ?? throw new InvalidOperationException("A mix was measured without evaluation data.");

    /// <summary>The accuracy gates this mix fails (the speed gate is not the search's business: float nodes only slow a model down).</summary>
    public IReadOnlyList<GateFailure> AccuracyFailures(QualityGates gates) =>
        GateChecker.Check(gates with { MinSpeedup = null }, Evaluation, null);
}
