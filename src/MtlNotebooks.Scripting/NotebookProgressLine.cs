using System.Diagnostics;
using MtlNotebooks.Training;

namespace MtlNotebooks.Scripting;

/// <summary>A training run's progress as one line in the cell's output, replaced in place as training goes on
/// (update_display_data under the kernel; the saved notebook keeps the last line, ending in "done"). Updates at most
/// every <see cref="Interval"/>, and always at the first and the last step.</summary>
internal sealed class NotebookProgressLine(OutputSink sink) : IProgress<TrainingProgress>
{
    /// <summary>How often the line changes at most: often enough to see it move, rarely enough not to flood the front end.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(0.5);

    private readonly Stopwatch _sinceUpdate = new();
    private DisplayedValue? _line;

    public void Report(TrainingProgress value)
    {
        if (_line is null)
        {
            _line = sink.Display(value.ToString(), []);
            _sinceUpdate.Restart();
            return;
        }
        if (!value.IsLast && _sinceUpdate.Elapsed < Interval) return;
        _line.Update(value.ToString());
        _sinceUpdate.Restart();
    }
}
