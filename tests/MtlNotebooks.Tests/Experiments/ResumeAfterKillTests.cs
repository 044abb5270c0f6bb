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
        var (exit, output) = Mtl([.. RunArgs, "--output", reference]);
        Assert.True(exit == 0, output);

        var interrupted = Path.Combine(_root, "interrupted");
        var random = new Random(20261130);
        int kills = 0;
        for (int attempt = 0; attempt < 6 && kills < 3; attempt++)
        {
            // Kills follow the run's own progress, not the clock, so they interrupt on fast and slow machines alike: after
            // 1-3 finished epochs of this attempt and 0-400 ms more, landing in an evaluation, a checkpoint write or steps.
            var (killed, _) = Mtl(ResumeArgs(interrupted), killAfterEpochs: random.Next(1, 4), extraDelay: TimeSpan.FromMilliseconds(random.Next(0, 400)));
            if (killed == Killed) kills++;
            else break;   // finished before the kill: nothing left to interrupt
        }
        (exit, output) = Mtl(ResumeArgs(interrupted));
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

    /// <summary>Runs the built CLI in its own process; with <paramref name="killAfterEpochs"/>, sends SIGKILL
    /// <paramref name="extraDelay"/> after it has printed that many finished epochs and returns <see cref="Killed"/>.</summary>
    private static (int Exit, string Output) Mtl(string[] args, int? killAfterEpochs = null, TimeSpan extraDelay = default)
    {
        var timeout = TimeSpan.FromMinutes(5);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mtl.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = new Process { StartInfo = start };
        var output = new System.Text.StringBuilder();
        using var epochsSeen = new SemaphoreSlim(0);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.Contains(": epoch ", StringComparison.Ordinal)) epochsSeen.Release();   // one line per finished epoch
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (killAfterEpochs is int epochs)
        {
            var clock = Stopwatch.StartNew();
            int seen = 0;
            while (seen < epochs && !process.HasExited && clock.Elapsed < timeout)
                if (epochsSeen.Wait(TimeSpan.FromMilliseconds(100))) seen++;
            if (seen == epochs && !process.WaitForExit(extraDelay))
            {
                process.Kill(entireProcessTree: true);   // SIGKILL: no finally blocks, no flushing
                process.WaitForExit();
                return (Killed, "");
            }
        }
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"mtl {string.Join(' ', args)} did not finish within {timeout}");
        }
        process.WaitForExit();   // drains the redirected streams
        lock (output) return (process.ExitCode, output.ToString());
    }
}
