using System.Diagnostics;

namespace MtlNotebooks.Tests.Experiments;

/// <summary><c>run quick</c> killed with SIGKILL at random moments (during a step, an evaluation or a checkpoint write)
/// and resumed with <c>--resume</c> ends with the same files, byte for byte, as a run that was never interrupted: the
/// checkpoints (weights, optimiser and balancer state, every step's losses and weights) and the metric tables. DWA keeps
/// state across epochs, so a resume that lost or replayed an epoch of it would show.</summary>
public sealed class ResumeAfterKillTests : IDisposable
{
    private static readonly string[] RunArgs =
        ["run", "quick", "--tiny", "--epochs", "6", "--train-samples", "64", "--balancer", "dwa"];

    private static readonly string[] ComparedFiles = ["single-task.ckpt", "hard-sharing.ckpt", "metrics.csv", "delta_m.csv"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"mtl-kill-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void RunQuick_KilledAtRandomMomentsThenResumed_EqualsUninterruptedRun()
    {
        var reference = Path.Combine(_root, "reference");
        var clock = Stopwatch.StartNew();
        var (exit, output) = Mtl([.. RunArgs, "--output", reference], timeout: TimeSpan.FromMinutes(5));
        var whole = clock.Elapsed;
        Assert.True(exit == 0, output);

        var interrupted = Path.Combine(_root, "interrupted");
        var random = new Random(20261130);
        int kills = 0;
        for (int attempt = 0; attempt < 6 && kills < 3; attempt++)
        {
            // Delays scale with this machine's speed (the uninterrupted run's time): the first kill lands past start-up,
            // in training; later ones, in what a resumed run has left (steps, evaluations, checkpoint writes).
            double fraction = attempt == 0 ? 0.35 + 0.25 * random.NextDouble() : 0.25 + 0.25 * random.NextDouble();
            var delay = whole * fraction;
            var (killed, _) = Mtl(ResumeArgs(interrupted), killAfter: delay, timeout: TimeSpan.FromMinutes(5));
            if (killed == Killed) kills++;
            else break;   // finished before the kill: nothing left to interrupt
        }
        (exit, output) = Mtl(ResumeArgs(interrupted), timeout: TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, output);
        Assert.True(kills >= 2, $"only {kills} of the runs were killed before they finished; the test interrupted too little");
        foreach (var file in ComparedFiles)
            Assert.True(File.ReadAllBytes(Path.Combine(reference, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(interrupted, file))),
                $"{file} differs between the uninterrupted run and the run killed {kills} times and resumed");
    }

    /// <summary>The first start has no run to resume; every later one continues what the folder holds.</summary>
    private static string[] ResumeArgs(string folder) =>
        File.Exists(Path.Combine(folder, "run.json")) ? [.. RunArgs, "--output", folder, "--resume"] : [.. RunArgs, "--output", folder];

    private const int Killed = -9;

    /// <summary>Runs the built CLI in its own process; with <paramref name="killAfter"/>, sends SIGKILL then and returns
    /// <see cref="Killed"/> if it was still running.</summary>
    private static (int Exit, string Output) Mtl(string[] args, TimeSpan timeout, TimeSpan? killAfter = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mtl.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (killAfter is { } delay && !process.WaitForExit(delay))
        {
            process.Kill(entireProcessTree: true);   // SIGKILL: no finally blocks, no flushing
            process.WaitForExit();
            return (Killed, "");
        }
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mtl {string.Join(' ', args)} did not finish within {timeout}");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
