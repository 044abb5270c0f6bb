using System.Runtime.InteropServices;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.Kernel;

/// <summary>Runs the kernel for one connection file, as <c>mtl kernel run --connection-file F</c> does: console output
/// goes to the running cell (as under the headless runner), the kernel's log to standard error. Papermill-style
/// parameters come from <see cref="ParametersVariable"/> (<c>smoke=true;epochs=2</c>), since a client such as nbclient
/// has no way to pass them: the first cell that declares such a name (a notebook's parameters cell) gets the value
/// right after it runs. The kernel also ends, exiting with 0, on SIGTERM (jupyter_client sends it to a kernel that does
/// not answer a shutdown_request) and when the client's process is gone (<see cref="ParentWatch"/>).</summary>
public static class KernelHost
{
    public const string ParametersVariable = "MTL_NOTEBOOK_PARAMETERS";

    /// <summary>Serves until a shutdown_request, SIGTERM or the client's end; returns the process exit code.</summary>
    public static int Run(string connectionFile, TextWriter error)
    {
        var log = new KernelLog(error);
        var info = ConnectionInfo.Load(connectionFile);
        var parameters = NotebookParameters.ParsePairs(
            (Environment.GetEnvironmentVariable(ParametersVariable) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (parameters.Count > 0) log.Write($"parameters from {ParametersVariable}: {string.Join(", ", parameters.Select(p => $"{p.Key}={p.Value}"))}");
        var (stdout, stderr) = (Console.Out, Console.Error);
        Console.SetOut(new CellConsoleWriter(stdout, "stdout"));
        Console.SetError(new CellConsoleWriter(stderr, "stderr"));
        try
        {
            // Jupyter starts a kernel in the notebook's folder: #load, #r "file.dll" and #i resolve from there.
            using var kernel = new JupyterKernel(info, Directory.GetCurrentDirectory(), parameters, log);
            // SIGINT is Jupyter's interrupt signal (interrupt_mode "signal"; the kernelspec declares "message", but a client
            // may still signal, as may Ctrl+C where the kernel runs in a terminal): it interrupts the cell, not the kernel.
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
            {
                context.Cancel = true;
                kernel.InterruptFromSignal();
            });
            // Cancelled so that .NET does not exit at once: the kernel stops its cell, closes its sockets and returns 0.
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                kernel.Shutdown("SIGTERM");
            });
            using var parent = ParentWatch.Start(log, kernel.Shutdown);
            kernel.Run();
            log.Write("stopped");
        }
        finally
        {
            // A kernel that could not start (a busy port) reports it on the console it found.
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
        return 0;
    }
}
