using MtlNotebooks.Training;

namespace MtlNotebooks.Cli;

/// <summary>Reports training progress on the trainer's own thread. The benchmarks time steps from these reports, and
/// <see cref="Progress{T}"/> would post them to the thread pool, late and in any order.</summary>
internal sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
