using System.Diagnostics;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace MtlNotebooks.Scripting;

/// <summary>Executes the code cells of a .NET Interactive C# notebook top to bottom in one script state, as the kernel
/// does, and records their outputs papermill-style. The run stops at the first failing cell, whose outputs end with an
/// nbformat error output (ename, evalue, traceback). While it runs, the current directory is the notebook's folder
/// (as in VS Code and Jupyter) and console output is captured per cell. With <see cref="NotebookRunOptions.OutputPath"/>
/// the executed notebook is written before the first cell and after every cell, as papermill does.</summary>
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
        if (notebook.KernelName is { } kernel && kernel != NotebookDocument.CSharpKernelName)
            throw new NotebookFormatException(notebook.Describe(), $"uses the kernel '{kernel}'; the runner executes C# notebooks ({NotebookDocument.CSharpKernelName})");
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
            var cells = executed.Cells;
            var codeCells = cells.Count(c => c.IsCode);
            var executionCount = 0;
            for (var i = 0; i < cells.Count; i++)
            {
                var cell = cells[i];
                if (!cell.IsCode) continue;
                cancellationToken.ThrowIfCancellationRequested();
                executionCount++;
                cell.SetExecutionCount(executionCount);
                var sink = new OutputSink(cell.Outputs, state);
                var cellClock = Stopwatch.StartNew();
                var error = await RunCellAsync(session, cell, i + 1, executionCount, sink, cancellationToken).ConfigureAwait(false);
                times.Add((i + 1, cellClock.Elapsed));
                options.Log?.WriteLine($"cell {i + 1}/{cells.Count} ({executionCount}/{codeCells} code) {cellClock.Elapsed.TotalSeconds:0.0} s{(error is null ? "" : " FAILED")}");
                output.Checkpoint($"after cell {i + 1}");
                if (error is not null)
                    return output.Finish(new NotebookRunResult(executed, false, i + 1, error, clock.Elapsed, times));
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

    private static IEnumerable<OutputTarget> Targets(NotebookRunOptions options)
    {
        if (options.OutputPath is { } output) yield return new OutputTarget(nameof(NotebookRunOptions.OutputPath), output);
        if (options.HtmlPath is { } html) yield return new OutputTarget(nameof(NotebookRunOptions.HtmlPath), html);
    }

    /// <summary>Runs one cell; returns null on success, else the error summary (also recorded as the cell's error output).</summary>
    private static async Task<string?> RunCellAsync(ScriptSession session, NotebookCell cell, int cellNumber, int executionCount, OutputSink sink,
        CancellationToken cancellationToken)
    {
        KernelHelpers.CurrentSink.Value = sink;
        try
        {
            var code = session.ApplyDirectives(cell.Source, $"cell {cellNumber}");
            if (code.Trim().Length == 0) return null;
            await session.SubmitAsync(code, cancellationToken).ConfigureAwait(false);
            if (session.HasReturnValue)
                sink.Result(session.ReturnValue, executionCount);
            return null;
        }
        catch (CompilationErrorException ex)
        {
            var lines = CompilationErrors.Describe(ex.Diagnostics, cell.Source, $"cell {cellNumber}");
            sink.Error("CompilationError", lines[0], lines);
            return lines[0];
        }
        catch (Exception ex) when (ex is PackageResolutionException or UnsupportedMagicException or NotebookParameterException)
        {
            var name = ex is PackageResolutionException ? "PackageResolutionError" : ex is UnsupportedMagicException ? "UnsupportedMagicCommand" : "ParameterError";
            sink.Error(name, ex.Message, [ex.Message]);
            return $"{name}: {ex.Message}";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var inner = Unwrap(ex);
            var traceback = Traceback(inner);
            sink.Error(inner.GetType().Name, inner.Message, traceback);
            return $"cell {cellNumber}: {inner.GetType().Name}: {FirstLine(inner.Message)}";
        }
        finally
        {
            KernelHelpers.CurrentSink.Value = null;
        }
    }

    internal static Exception Unwrap(Exception ex) => ex switch
    {
        TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        AggregateException { InnerExceptions.Count: 1 } aggregate => Unwrap(aggregate.InnerExceptions[0]),
        _ => ex,
    };

    /// <summary>The exception's text without the runner's and Roslyn's own frames.</summary>
    internal static List<string> Traceback(Exception ex)
    {
        var lines = ex.ToString().ReplaceLineEndings("\n").Split('\n').ToList();
        var cut = lines.FindIndex(l => l.Contains("Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal) ||
                                       l.Contains("MtlNotebooks.Scripting.", StringComparison.Ordinal));
        return cut > 0 ? lines[..cut] : lines;
    }

    private static string FirstLine(string text) => text.ReplaceLineEndings("\n").Split('\n')[0];
}
