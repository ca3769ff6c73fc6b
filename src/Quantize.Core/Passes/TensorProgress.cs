using System.Diagnostics;
using System.Globalization;

namespace Quantize.Core.Passes;

/// <summary>
/// Progress through a pass's weights on long runs: "quantizing to Int4: weight 40 of 176 (name), about 12 s left",
/// the time left estimated from the bytes done so far. Silent for the first <see cref="Interval"/> (short runs say
/// nothing more than their phase) and then at most once per interval, so redirected logs get a line every few seconds,
/// not one per tensor.
/// </summary>
internal sealed class TensorProgress
{
    /// <summary>How often a long run reports.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    private readonly IProgress<string>? _progress;
    private readonly TimeSpan _interval;
    private readonly string _phase;
    private readonly int _count;
    private readonly long _totalBytes;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastReport;
    private long _doneBytes;
    private int _done;

    public TensorProgress(IProgress<string>? progress, string phase, int count, long totalBytes, TimeSpan? interval = null)
    {
        _progress = progress;
        _interval = interval ?? Interval;
        _phase = phase;
        _count = count;
        _totalBytes = Math.Max(totalBytes, 1);
    }

    /// <summary>Records one weight of <paramref name="bytes"/> done, and reports when an interval has passed.</summary>
    public void Done(string name, long bytes)
    {
        _done++;
        _doneBytes += bytes;
        var elapsed = _clock.Elapsed;
        if (_progress is null || elapsed - _lastReport < _interval || _done == _count)
        {
            return;
        }

        _lastReport = elapsed;
        double left = elapsed.TotalSeconds * (_totalBytes - _doneBytes) / Math.Max(_doneBytes, 1);
        _progress.Report(string.Create(CultureInfo.InvariantCulture, $"{_phase}: weight {_done} of {_count} ({name}), about {Math.Ceiling(left):0} s left"));
    }
}
