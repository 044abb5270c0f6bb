using System.Diagnostics;
using System.Text.Json.Nodes;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.Cli;

/// <summary>Runs <c>notebook</c> in a child process of this program, as papermill drives a kernel, so that a cell which
/// ends the process (a stack overflow, <c>Environment.Exit</c>, a native crash) is recorded instead of taking the runner
/// down: the child reports the cell it starts in a status file and writes the executed notebook after every cell; if it
/// dies before saying it is done, the cell that was running gets a "kernel died" error output and the command exits 1.</summary>
internal static class NotebookSupervisor
{
    /// <summary>The hidden option that makes <c>notebook</c> the child: it runs the cells and keeps the status file.</summary>
    public const string WorkerOption = "--worker-status";

    private const string Done = "done";

    /// <summary>Runs the child with <paramref name="arguments"/> (the command line as given) and returns its exit code, or 1
    /// after recording its death in <paramref name="outputPath"/> (and <paramref name="htmlPath"/>).</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> arguments, string outputPath, string? htmlPath, CancellationToken cancellationToken)
    {
        var status = Path.Combine(Path.GetTempPath(), $"mtl-notebook-{Environment.ProcessId}-{Guid.NewGuid():N}.status");
        try
        {
            int exit = await RunChildAsync([.. arguments, WorkerOption, status], cancellationToken);
            var said = File.Exists(status) ? File.ReadAllText(status).Trim() : "";
            if (said == Done) return exit;
            int? cell = said.StartsWith("cell ", StringComparison.Ordinal) && int.TryParse(said[5..], out int n) ? n : null;
            var why = Why(exit);
            await Console.Error.WriteLineAsync(cell is { } c
                ? $"error: the kernel died while cell {c} ran ({why}); {outputPath} shows it."
                : $"error: the process that runs the cells failed to start or ended before the first cell ({why}).");
            if (cell is { } running) Record(outputPath, htmlPath, running, why);
            return 1;
        }
        finally
        {
            File.Delete(status);
        }
    }

    /// <summary>In the child: ends the process when the parent's end of stdin closes (the parent is gone).</summary>
    public static void ExitWhenParentEnds()
    {
        var watch = new Thread(() =>
        {
            try
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (stdin.Read(buffer) > 0) { }
            }
            catch (IOException)
            {
                // A broken pipe means the same: the parent is gone.
            }
            Environment.Exit(ParentGoneExitCode);
        }) { IsBackground = true, Name = "parent watch" };
        watch.Start();
    }

    private const int ParentGoneExitCode = 3;

    /// <summary>Called by the child before each code cell (1-based cell number) and once when it is done.</summary>
    public static void Report(string statusPath, int? cell) => File.WriteAllText(statusPath, cell is { } c ? $"cell {c}" : Done);

    /// <summary>The child's output is passed on line by line, to whatever Console.Out and Console.Error are now.</summary>
    private static async Task<int> RunChildAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var info = SelfProcess.StartInfo(arguments);
        // The child's stdin is a pipe the parent never writes: it closes when the parent ends in any way (SIGTERM, SIGKILL),
        // and the child, reading it, ends too (ExitWhenParentEnds) instead of training on as an orphan.
        (info.RedirectStandardOutput, info.RedirectStandardError, info.RedirectStandardInput) = (true, true, true);
        info.Environment.Remove("JPY_PARENT_PID");
        using var process = new Process { StartInfo = info };
        var (output, error) = (Console.Out, Console.Error);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (error) error.WriteLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C reaches the child too (same process group): give it the time it takes to save, then stop it.
            if (!process.WaitForExit(TimeSpan.FromSeconds(10))) process.Kill(entireProcessTree: true);
        }
        process.WaitForExit();   // drains the redirected streams
        return process.ExitCode;
    }

    private static string Why(int exit) => OperatingSystem.IsWindows() ? $"exit code 0x{exit:X8}" : exit switch
    {
        134 => "exit code 134, SIGABRT: a stack overflow or a native crash",
        137 => "exit code 137, SIGKILL: killed from outside, often for lack of memory",
        139 => "exit code 139, SIGSEGV: a native crash",
        143 => "exit code 143, SIGTERM: stopped from outside",
        _ => $"exit code {exit}: the cell ended the process, e.g. with Environment.Exit",
    };

    /// <summary>The executed notebook the child last wrote, with the error Jupyter shows for a dead kernel in the running cell.</summary>
    private static void Record(string outputPath, string? htmlPath, int cell, string why)
    {
        try
        {
            var notebook = NotebookDocument.Load(outputPath);
            var message = $"The kernel died while cell {cell} ran ({why}). Outputs after its last save are lost.";
            notebook.Cells[cell - 1].Outputs.Add(new JsonObject
            {
                ["ename"] = "KernelDied", ["evalue"] = message, ["output_type"] = "error", ["traceback"] = new JsonArray(message),
            });
            notebook.Save(outputPath);
            if (htmlPath is not null) NotebookHtmlExporter.Save(notebook, htmlPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotebookFormatException or ArgumentOutOfRangeException)
        {
            Console.Error.WriteLine($"error: could not record the kernel's death in {outputPath}: {ex.Message}");
        }
    }
}
