using System.Globalization;
using Microsoft.CodeAnalysis.Scripting;

namespace MtlNotebooks.Scripting;

/// <summary>Runs a <c>.csx</c> file the way dotnet-script does: one submission, <c>Args</c> as a global,
/// <c>#r "nuget: …"</c> and <c>#i</c> handled by the runner, <c>#r "file.dll"</c> and <c>#load</c> relative to the
/// script. Console output goes straight to the console. The script runs on a thread of its own, so a time limit can
/// end the wait for it (see <see cref="TimeLimit"/>).</summary>
public static class ScriptRunner
{
    public static Task<ScriptRunResult> RunAsync(string path, IReadOnlyList<string> args, CancellationToken cancellationToken = default) =>
        RunAsync(path, args, timeout: null, cancellationToken);

    /// <summary>Runs the script; <paramref name="timeout"/> (null: none) bounds the whole run.</summary>
    public static async Task<ScriptRunResult> RunAsync(string path, IReadOnlyList<string> args, TimeSpan? timeout, CancellationToken cancellationToken = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (timeout is { } t && t <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeout), t, $"The timeout of {path} must be positive; it is {t.TotalSeconds} s.");
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            return new ScriptRunResult(1, $"{path}: no such script.", clock.Elapsed);
        var name = Path.GetFileName(full);
        using var thread = new CellThread("script " + name);
        try
        {
            var (finished, exitCode, stillRunning) = await TimeLimit.RunAsync(
                token => thread.RunAsync(() => RunOnThreadAsync(full, name, args, token)), timeout, cancellationToken).ConfigureAwait(false);
            if (finished)
                return new ScriptRunResult(exitCode, null, clock.Elapsed);
            var seconds = timeout!.Value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            return new ScriptRunResult(1,
                $"{path}: timed out: it ran longer than its timeout of {seconds} s" +
                (stillRunning ? " and did not stop when ScriptCancellationToken was cancelled (.NET cannot abort it; it ends when the process exits)." : "."),
                clock.Elapsed);
        }
        catch (CompilationErrorException ex)
        {
            var source = await File.ReadAllTextAsync(full, cancellationToken).ConfigureAwait(false);
            return new ScriptRunResult(1, string.Join(Environment.NewLine, CompilationErrors.Describe(ex.Diagnostics, source, name)), clock.Elapsed);
        }
        catch (Exception ex) when (ex is PackageResolutionException or UnsupportedMagicException)
        {
            return new ScriptRunResult(1, ex.Message, clock.Elapsed);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return new ScriptRunResult(1, RuntimeError(path, full, CellExecution.Unwrap(ex)), clock.Elapsed);
        }
    }

    /// <summary>"scripts/x.csx(12): InvalidOperationException: message" (the script's line, or a <c>#load</c>-ed file's),
    /// then the stack frames of the script and what it called.</summary>
    private static string RuntimeError(string path, string full, Exception exception)
    {
        var where = ErrorLocation.Find(exception, ErrorLocation.InScript(full)) switch
        {
            null => path,
            { File: var file, Line: var line } when file == full => $"{path}({line})",
            { File: var file, Line: var line } => $"{Relative(file)}({line})",
        };
        var frames = CellExecution.Traceback(exception).SkipWhile(l => !l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        return string.Join(Environment.NewLine, [$"{where}: {exception.GetType().Name}: {exception.Message}", .. frames]);
    }

    /// <summary>A file relative to the current directory, as the script's own path usually is; absolute when outside it.</summary>
    private static string Relative(string file)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
        return relative.StartsWith("..", StringComparison.Ordinal) ? file : relative;
    }

    private static async Task<int> RunOnThreadAsync(string full, string name, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var session = new ScriptSession(Path.GetDirectoryName(full)!, full, new ScriptGlobals([.. args], cancellationToken));
        var code = session.ApplyDirectives(await File.ReadAllTextAsync(full, cancellationToken).ConfigureAwait(false), name);
        await session.SubmitAsync(code, cancellationToken).ConfigureAwait(false);
        return session.ReturnValue is int exitCode ? exitCode : 0;
    }
}
