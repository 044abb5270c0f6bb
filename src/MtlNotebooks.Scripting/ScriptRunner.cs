using Microsoft.CodeAnalysis.Scripting;

namespace MtlNotebooks.Scripting;

/// <summary>The globals of a .csx script, as dotnet-script provides them: the command-line arguments after "--".</summary>
public sealed class ScriptGlobals(IList<string> args)
{
    public IList<string> Args { get; } = args;
}

/// <summary>How a script run ended: the exit code (the script's <c>return</c> value when it returns an int, 1 on an
/// error, else 0) and the error text.</summary>
public sealed record ScriptRunResult(int ExitCode, string? Error, TimeSpan Elapsed);

/// <summary>Runs a <c>.csx</c> file the way dotnet-script does: one submission, <c>Args</c> as a global,
/// <c>#r "nuget: …"</c> and <c>#i</c> handled by the runner, <c>#r "file.dll"</c> and <c>#load</c> relative to the
/// script. Console output goes straight to the console.</summary>
public static class ScriptRunner
{
    public static async Task<ScriptRunResult> RunAsync(string path, IReadOnlyList<string> args, CancellationToken cancellationToken = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            return new ScriptRunResult(1, $"{path}: no such script.", clock.Elapsed);
        var name = Path.GetFileName(full);
        try
        {
            var session = new ScriptSession(Path.GetDirectoryName(full)!, full, new ScriptGlobals([.. args]));
            var code = session.ApplyDirectives(await File.ReadAllTextAsync(full, cancellationToken).ConfigureAwait(false), name);
            await session.SubmitAsync(code, cancellationToken).ConfigureAwait(false);
            var exitCode = session.ReturnValue is int code0 ? code0 : 0;
            return new ScriptRunResult(exitCode, null, clock.Elapsed);
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
            var inner = NotebookRunner.Unwrap(ex);
            return new ScriptRunResult(1, $"{name}: {inner.GetType().Name}: {string.Join(Environment.NewLine, NotebookRunner.Traceback(inner))}", clock.Elapsed);
        }
    }
}
