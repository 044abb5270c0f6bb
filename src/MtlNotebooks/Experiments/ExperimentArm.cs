namespace MtlNotebooks.Experiments;

/// <summary>One multi-task network an experiment compares with its single-task baselines: the architecture, and the
/// name that labels it in the Δm table, the CSVs and the report and names its checkpoint (<c>Name.ckpt</c>).</summary>
/// <param name="Name">A short name, usable as a file name ("hard-sharing", "mti-net").</param>
/// <param name="Architecture">The architecture of the network. An <see cref="IHeadedArchitecture"/> gets
/// <see cref="QuickExperimentOptions.Head"/> when that is set.</param>
/// <param name="Balancer">The arm's own loss balancer; null takes <see cref="QuickExperimentOptions.Balancer"/>. Arms of one
/// architecture with different balancers make a balancer comparison (<see cref="BalancerLeague"/>).</param>
public sealed record ExperimentArm(string Name, IArchitecture Architecture, ILossBalancer? Balancer = null)
{
    /// <summary>The entry <paramref name="key"/> of <see cref="Architectures.All"/>, named by its key.</summary>
    /// <exception cref="ArgumentException">No entry has that key; the message lists the keys.</exception>
    public static ExperimentArm Registered(string key) =>
        Architectures.All.TryGetValue(key, out var architecture)
            ? new ExperimentArm(key, architecture)
            : throw new ArgumentException($"Architectures.All has no entry '{key}'; its keys are {string.Join(", ", Architectures.All.Keys)}.", nameof(key));

    /// <summary>How <c>run.json</c> records the arm: "name = architecture", plus " with balancer" when the arm has its own.</summary>
    internal string Setting => Balancer is null ? $"{Name} = {Architecture.Name}" : $"{Name} = {Architecture.Name} with {Balancer.Name}";
}
