using System.Reflection;
using Microsoft.CodeAnalysis.Scripting;

namespace MtlNotebooks.Scripting;

/// <summary>Executes one code cell in a session and records what it shows in the cell's <see cref="OutputSink"/>:
/// console text, displays, the value of a last expression, an error. The one code path for a cell, whoever runs it:
/// the headless notebook runner (<c>mtl notebook</c>) and the Jupyter kernel (<c>mtl kernel run</c>), so a notebook
/// gives the same outputs in both; a <c>.csx</c> script goes through the same <see cref="ScriptSession"/>.</summary>
internal static class CellExecution
{
    /// <summary>Runs one cell, named "cell <paramref name="cellNumber"/>" in errors and stack frames; returns null on
    /// success, else the error summary (also recorded as the cell's error output). Cancellation of
    /// <paramref name="cancellationToken"/> that the cell observed propagates as <see cref="OperationCanceledException"/>.</summary>
    public static async Task<string?> RunAsync(ScriptSession session, string source, int cellNumber, int executionCount, OutputSink sink,
        CancellationToken cancellationToken)
    {
        KernelHelpers.CurrentSink.Value = sink;
        KernelHelpers.CurrentCancellation.Value = cancellationToken;
        // Training started by the cell stops when the cell is interrupted or times out, whether or not it passes the token.
        using var training = MtlNotebooks.Training.TrainingCancellation.Use(cancellationToken);
        // Training started by the cell without a progress of its own shows a live line in the cell.
        var progressLines = new List<NotebookProgressLine>();
        using var progress = MtlNotebooks.Training.AmbientProgress.Use(_ =>
        {
            var line = new NotebookProgressLine(sink);
            lock (progressLines) progressLines.Add(line);
            return line;
        });
        try
        {
            var code = session.ApplyDirectives(source, $"cell {cellNumber}");
            if (code.Trim().Length == 0) return null;
            await session.SubmitAsync(code, cancellationToken, session.SourcePath($"cell {cellNumber}")).ConfigureAwait(false);
            if (session.HasReturnValue)
                sink.Result(session.ReturnValueToShow(), executionCount);
            return null;
        }
        catch (CompilationErrorException ex)
        {
            var lines = CompilationErrors.Describe(ex.Diagnostics, source, $"cell {cellNumber}");
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
            return $"{Where(session, cellNumber, inner)}: {inner.GetType().Name}: {FirstLine(inner.Message)}";
        }
        finally
        {
            lock (progressLines) foreach (var line in progressLines) line.Flush();   // a run stopped early shows where
            KernelHelpers.CurrentSink.Value = null;
            KernelHelpers.CurrentCancellation.Value = CancellationToken.None;
        }
    }

    /// <summary>"cell 3, line 2", or "cell 3, helpers.csx line 7" for a line of a <c>#load</c>-ed file; "cell 3" if no
    /// frame is in script code.</summary>
    private static string Where(ScriptSession session, int cellNumber, Exception exception)
    {
        var cellPath = session.SourcePath($"cell {cellNumber}");
        return ErrorLocation.Find(exception, ErrorLocation.InScript(cellPath)) switch
        {
            null => $"cell {cellNumber}",
            { File: var file, Line: var line } when file == cellPath => $"cell {cellNumber}, line {line}",
            { File: var file, Line: var line } => $"cell {cellNumber}, {Path.GetFileName(file)} line {line}",
        };
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
        var kept = cut > 0 ? lines[..cut] : lines;
        // The async boundary marker before the runner's frames marks nothing once they are gone.
        while (kept.Count > 1 && kept[^1].TrimStart().StartsWith("--- End of stack trace", StringComparison.Ordinal))
            kept.RemoveAt(kept.Count - 1);
        return kept;
    }

    private static string FirstLine(string text) => text.ReplaceLineEndings("\n").Split('\n')[0];
}
