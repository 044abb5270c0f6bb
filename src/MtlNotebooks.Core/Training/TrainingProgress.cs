using System.Globalization;

namespace MtlNotebooks.Training;

/// <summary>A progress report: where training is, the latest loss (and each task's) and the estimated time left.</summary>
public sealed record TrainingProgress(string RunName, int Epoch, int Epochs, long Step, long TotalSteps, double Loss, TimeSpan Elapsed, TimeSpan Remaining)
{
    /// <summary>Whether this is the last step of the run.</summary>
    public bool IsLast => Step == TotalSteps;

    /// <summary>The step's unweighted loss of every task, when the trainer reports them (a task whose loss climbs while
    /// the total falls is what a balancer is for).</summary>
    public IReadOnlyDictionary<string, double>? TaskLosses { get; init; }

    /// <summary>One line: "hard-sharing: epoch 3/6, step 72/144, loss 0.812 (semseg 0.601, depth 0.211), elapsed 0:14, ETA 0:14".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(string.IsNullOrEmpty(RunName) ? "" : RunName + ": ")}epoch {Epoch}/{Epochs}, step {Step:N0}/{TotalSteps:N0}, loss {Loss:0.000}{PerTask()}, " +
        $"elapsed {Time(Elapsed)}, {(IsLast ? "done" : "ETA " + Time(Remaining))}");

    private string PerTask() => TaskLosses is not { Count: > 1 } losses ? "" :
        " (" + string.Join(", ", losses.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Key} {l.Value:0.000}"))) + ")";

    private static string Time(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t:mm\\:ss}")
        : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
