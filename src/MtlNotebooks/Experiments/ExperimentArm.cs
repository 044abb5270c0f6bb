namespace MtlNotebooks.Experiments;

/// <summary>One multi-task network an experiment compares with its single-task baselines: the architecture, and the
/// name that labels it in the Δm table, the CSVs and the report and names its checkpoint (<c>Name.ckpt</c>).</summary>
/// <param name="Name">A short name, usable as a file name ("hard-sharing", "mti-net").</param>
/// <param name="Architecture">The architecture of the network. An <see cref="IHeadedArchitecture"/> gets
/// <see cref="QuickExperimentOptions.Head"/> when that is set.</param>
public sealed record ExperimentArm(string Name, IArchitecture Architecture)
{
    /// <summary>The entry <paramref name="key"/> of <see cref="Architectures.All"/>, named by its key.</summary>
    /// <exception cref="ArgumentException">No entry has that key; the message lists the keys.</exception>
    public static ExperimentArm Registered(string key) =>
        Architectures.All.TryGetValue(key, out var architecture)
            ? new ExperimentArm(key, architecture)
            : throw new ArgumentException($"Architectures.All has no entry '{key}'; its keys are {string.Join(", ", Architectures.All.Keys)}.", nameof(key));
}
