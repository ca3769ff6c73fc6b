using System.Diagnostics;
using System.Globalization;

namespace Quantize.Cli.Output;

/// <summary>
/// Shows the engine's phases ("reading", "quantizing to Int8"...) with elapsed time on stderr. On an
/// interactive terminal one status line is redrawn in place and its clock keeps ticking; when stderr is
/// redirected (CI logs, the build task) each phase is one plain line and nothing is redrawn.
/// </summary>
internal sealed class PhaseProgress : IProgress<string>, IDisposable
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(250);

    private readonly TextWriter _error;
    private readonly string _subject;
    private readonly bool _redraw;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _gate = new();
    private readonly Timer? _ticker;
    private string? _phase;
    private bool _disposed;

    private PhaseProgress(TextWriter error, string subject, bool redraw)
    {
        _error = error;
        _subject = subject;
        _redraw = redraw;
        if (redraw)
        {
            _ticker = new Timer(_ => Draw(), null, TickInterval, TickInterval);
        }
    }

    /// <summary>A reporter for <paramref name="subject"/>, or null when <paramref name="quiet"/>.</summary>
    public static PhaseProgress? Create(CliConsole console, bool quiet, string subject) =>
        quiet ? null : new PhaseProgress(console.Error, subject, console.ErrorIsTerminal);

    /// <inheritdoc />
    public void Report(string value)
    {
        lock (_gate)
        {
            _phase = value;
            if (_redraw)
            {
                Draw();
            }
            else
            {
                _error.WriteLine(Line());
            }
        }
    }

    /// <summary>Stops the clock and clears the status line so the summary starts on a clean line.</summary>
    public void Dispose()
    {
        _ticker?.Dispose();
        lock (_gate)
        {
            if (_redraw && !_disposed && _phase is not null)
            {
                _error.Write("\r\u001b[K");
                _error.Flush();
            }

            _disposed = true;
        }
    }

    private void Draw()
    {
        lock (_gate)
        {
            if (_disposed || _phase is null)
            {
                return;
            }

            // Carriage return + "erase to end of line": redraw in place without scrolling.
            _error.Write("\r\u001b[K" + Line());
            _error.Flush();
        }
    }

    private string Line() => string.Create(CultureInfo.InvariantCulture, $"{_subject}: {_phase} [{_clock.Elapsed.TotalSeconds:0.0} s]");
}
