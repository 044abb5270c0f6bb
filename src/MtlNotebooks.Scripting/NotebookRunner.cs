using System.Diagnostics;
using System.Globalization;

namespace MtlNotebooks.Scripting;

/// <summary>Executes the code cells of a .NET Interactive C# notebook top to bottom in one script state, as the kernel
/// does, and records their outputs papermill-style. The run stops at the first failing cell, whose outputs end with an
/// nbformat error output (ename, evalue, traceback). While it runs, the current directory is the notebook's folder
/// (as in VS Code and Jupyter) and console output is captured per cell. With <see cref="NotebookRunOptions.OutputPath"/>
/// the executed notebook is written before the first cell and after every cell, as papermill does. Cells run on one
/// thread of their own, each within <see cref="NotebookRunOptions.CellTimeout"/> and what is left of
/// <see cref="NotebookRunOptions.TotalTimeout"/>.</summary>
public static class NotebookRunner
{
    private static readonly SemaphoreSlim ProcessWide = new(1, 1);

    public static Task<NotebookRunResult> RunAsync(string path, NotebookRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        var notebook = NotebookDocument.Load(path);
        return RunAsync(notebook, Path.GetDirectoryName(Path.GetFullPath(path))!, options, cancellationToken);
    }

    public static async Task<NotebookRunResult> RunAsync(NotebookDocument notebook, string baseDirectory, NotebookRunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new NotebookRunOptions();
        // Relative output paths mean the caller's working directory; cells run in the notebook's folder, so fix them first.
        options = options with
        {
            OutputPath = options.OutputPath is null ? null : Path.GetFullPath(options.OutputPath),
            HtmlPath = options.HtmlPath is null ? null : Path.GetFullPath(options.HtmlPath),
        };
        if (notebook.KernelName is { } kernel && kernel != NotebookDocument.CSharpKernelName)
            throw new NotebookFormatException(notebook.Describe(), $"uses the kernel '{kernel}'; the runner executes C# notebooks ({NotebookDocument.CSharpKernelName})");
        CheckLimit(nameof(NotebookRunOptions.CellTimeout), options.CellTimeout);
        CheckLimit(nameof(NotebookRunOptions.TotalTimeout), options.TotalTimeout);
        // Every path is checked before any work, so a bad one cannot cost a run's outputs.
        OutputPaths.Check(notebook.Path, Targets(options));
        var executed = notebook.Clone();
        foreach (var cell in executed.Cells) cell.ClearOutputs();
        NotebookParameters.Inject(executed, options.Parameters);

        // Console redirection and the current directory are process-wide: one notebook at a time.
        await ProcessWide.WaitAsync(cancellationToken).ConfigureAwait(false);
        var (previousOut, previousError, previousDirectory) = (Console.Out, Console.Error, Directory.GetCurrentDirectory());
        var clock = Stopwatch.StartNew();
        var times = new List<(int, TimeSpan)>();
        try
        {
            Console.SetOut(new CellConsoleWriter(previousOut, "stdout"));
            Console.SetError(new CellConsoleWriter(previousError, "stderr"));
            Directory.SetCurrentDirectory(baseDirectory);
            var session = new ScriptSession(baseDirectory);
            await session.StartWithKernelHelpersAsync(cancellationToken).ConfigureAwait(false);
            var state = new NotebookOutputState();
            var output = new NotebookOutput(executed, state, options);
            output.Checkpoint("before the first cell");
            using var thread = new CellThread("notebook cells");
            var cells = executed.Cells;
            var codeCells = cells.Count(c => c.IsCode);
            var executionCount = 0;
            for (var i = 0; i < cells.Count; i++)
            {
                var cell = cells[i];
                if (!cell.IsCode) continue;
                cancellationToken.ThrowIfCancellationRequested();
                var (number, count) = (i + 1, ++executionCount);
                cell.SetExecutionCount(count);
                options.CellStarting?.Invoke(number);
                var sink = new OutputSink(cell.Outputs, state);
                var cellClock = Stopwatch.StartNew();
                var (limit, isTotal) = Limit(options, clock.Elapsed);
                var (finished, error, stillRunning) = await RunCellInTimeAsync(
                    token => thread.RunAsync(() => CellExecution.RunAsync(session, cell.Source, number, count, sink, token)), limit, sink, output, number, cancellationToken)
                    .ConfigureAwait(false);
                times.Add((number, cellClock.Elapsed));
                if (!finished)
                    error = TimedOut(sink, number, isTotal ? options.TotalTimeout!.Value : limit!.Value, isTotal, stillRunning);
                var status = finished ? error is null ? "" : " FAILED" : " TIMED OUT";
                options.Log?.WriteLine($"cell {number}/{cells.Count} ({count}/{codeCells} code) {cellClock.Elapsed.TotalSeconds:0.0} s{status}");
                output.Checkpoint($"after cell {number}");
                if (error is not null)
                    return output.Finish(new NotebookRunResult(executed, false, number, error, clock.Elapsed, times) { TimedOut = !finished });
            }

            return output.Finish(new NotebookRunResult(executed, true, null, null, clock.Elapsed, times));
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
            Directory.SetCurrentDirectory(previousDirectory);
            ProcessWide.Release();
        }
    }

    /// <summary>Runs a cell within its limit; when the run is cancelled, records that in the cell and saves the notebook.</summary>
    private static async Task<(bool Finished, string? Error, bool StillRunning)> RunCellInTimeAsync(Func<CancellationToken, Task<string?>> start,
        TimeSpan? limit, OutputSink sink, NotebookOutput output, int cellNumber, CancellationToken cancellationToken)
    {
        try
        {
            return await TimeLimit.RunAsync(start, limit, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var message = $"cell {cellNumber} was cancelled: the run was stopped.";
            sink.CloseWithError("Cancelled", message, [message]);
            output.Checkpoint($"when cell {cellNumber} was cancelled");
            throw;
        }
    }

    /// <summary>The time a cell may take: the per-cell timeout, or what is left of the total timeout if that is less.</summary>
    private static (TimeSpan? Limit, bool IsTotal) Limit(NotebookRunOptions options, TimeSpan elapsed)
    {
        var left = options.TotalTimeout - elapsed;
        return left is { } l && (options.CellTimeout is not { } cell || l < cell) ? (l, true) : (options.CellTimeout, false);
    }

    /// <summary>Records the timeout as the cell's last output (the cell takes no more) and returns the summary.</summary>
    private static string TimedOut(OutputSink sink, int cellNumber, TimeSpan limit, bool isTotal, bool stillRunning)
    {
        var seconds = limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
        var message = isTotal
            ? $"cell {cellNumber} timed out: the notebook's total timeout of {seconds} ran out while it ran."
            : $"cell {cellNumber} timed out: it ran longer than the per-cell timeout of {seconds}.";
        List<string> traceback = [message];
        if (stillRunning)
            traceback.Add("The cell did not stop when its CellCancellationToken was cancelled; .NET cannot abort it, so the runner stopped " +
                          "waiting for it. It ends when the process exits.");
        sink.CloseWithError("TimeoutError", message, traceback);
        return message;
    }

    private static void CheckLimit(string option, TimeSpan? limit)
    {
        if (limit is { } l && l <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(option, l, $"{nameof(NotebookRunOptions)}.{option} must be positive; it is {l.TotalSeconds} s.");
    }

    private static IEnumerable<OutputTarget> Targets(NotebookRunOptions options)
    {
        if (options.OutputPath is { } output) yield return new OutputTarget(nameof(NotebookRunOptions.OutputPath), output);
        if (options.HtmlPath is { } html) yield return new OutputTarget(nameof(NotebookRunOptions.HtmlPath), html);
    }

}
