using MtlNotebooks.Scripting;

namespace MtlNotebooks.Kernel;

/// <summary>Runs the kernel for one connection file, as <c>mtl kernel run --connection-file F</c> does: console output
/// goes to the running cell (as under the headless runner), the kernel's log to standard error. Papermill-style
/// parameters come from <see cref="ParametersVariable"/> (<c>smoke=true;epochs=2</c>), since a client such as nbclient
/// has no way to pass them: the first cell that declares such a name (a notebook's parameters cell) gets the value
/// right after it runs.</summary>
public static class KernelHost
{
    public const string ParametersVariable = "MTL_NOTEBOOK_PARAMETERS";

    /// <summary>Serves until a shutdown_request; returns the process exit code.</summary>
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
        // Jupyter starts a kernel in the notebook's folder: #load, #r "file.dll" and #i resolve from there.
        using var kernel = new JupyterKernel(info, Directory.GetCurrentDirectory(), parameters, log);
        // Ctrl+C in the terminal that started the server (and a client in "signal" interrupt mode) interrupts the cell, not the kernel.
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            kernel.InterruptFromSignal();
        });
        kernel.Run();
        log.Write("stopped");
        return 0;
    }
}
