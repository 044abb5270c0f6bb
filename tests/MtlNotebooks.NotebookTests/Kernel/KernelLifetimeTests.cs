using Xunit.Abstractions;

namespace MtlNotebooks.NotebookTests.Kernel;

/// <summary>How the kernel's process ends under jupyter_client (kernel_lifetime.py): a kernel whose client is killed
/// with SIGKILL, idle or training, is gone within 5 s (no orphan keeps its memory, ports and training); SIGTERM ends an
/// idle and a training kernel within 2 s with exit code 0; SIGINT interrupts a training cell and the kernel serves on.</summary>
[Collection(OutOfProcess.KernelLifetime)]
public sealed class KernelLifetimeTests(ITestOutputHelper log)
{
    /// <summary>An idle kernel 20 times over (a race between the watch and the shutdown shows only over many), then a
    /// training kernel and one stuck in a loop.</summary>
    [Fact]
    public void Kernel_ClientKilled_ExitsWithin5Seconds() => Run("parent-death", "20");

    [Fact]
    public void Kernel_Signals_SigtermExitsCleanlyWithin2Seconds_SigintInterrupts() => Run("signals");

    /// <summary>Fifty rounds over every way a client ends or restarts a kernel: each exits with code 0, no unhandled
    /// exception in its output (the heartbeat's TerminatingException showed in 3 of 16 real shutdowns once).</summary>
    [Fact]
    public void Kernel_ShutdownsAndRestarts_EndCleanly50Times() => Run("shutdowns", "50");

    private void Run(string mode, params string[] arguments)
    {
        using var clients = new JupyterClients();
        clients.RequirePython("jupyter_client");
        var script = Path.Combine(RepositoryFiles.Root, "tests", "MtlNotebooks.NotebookTests", "Kernel", "kernel_lifetime.py");

        var (exitCode, output, elapsed) = clients.Run(JupyterClients.Python, [script, JupyterClients.KernelName, mode, .. arguments], TimeSpan.FromMinutes(10));

        log.WriteLine($"{elapsed.TotalSeconds:0.0} s\n{output}");
        Assert.True(exitCode == 0 && output.Contains("all checks passed", StringComparison.Ordinal), output);
    }
}
