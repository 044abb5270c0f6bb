using System.Diagnostics;
using MtlNotebooks.Training;

namespace MtlNotebooks.Scripting;

/// <summary>A training run's progress as one line in the cell's output, replaced in place as training goes on
/// (update_display_data under the kernel; the saved notebook keeps the last line, "…, done" after the last step).
/// Updates at most every <see cref="Interval"/>, always at the first and the last step, and when the cell ends
/// (<see cref="Flush"/>), so a run stopped early shows where it stopped.</summary>
internal sealed class NotebookProgressLine(OutputSink sink) : IProgress<TrainingProgress>
{
    /// <summary>How often the line changes at most: often enough to see it move, rarely enough not to flood the front end.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(0.5);

    private readonly Stopwatch _sinceUpdate = new();
    private DisplayedValue? _line;
    private TrainingProgress? _pending;

    public void Report(TrainingProgress value)
    {
        if (_line is null)
        {
            _line = sink.Display(value.ToString(), []);
            _sinceUpdate.Restart();
            return;
        }
        _pending = value;
        if (!value.IsLast && _sinceUpdate.Elapsed < Interval) return;
        Flush();
    }

    /// <summary>Shows the latest report if the line does not show it yet.</summary>
    public void Flush()
    {
        if (_line is null || _pending is not { } value) return;
        _line.Update(value.ToString());
        _pending = null;
        _sinceUpdate.Restart();
    }
}
