using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>What an architecture may rely on when it is created: the backbone spec (whose levels are known), the
/// main tasks (that get final outputs and metrics) and the auxiliary tasks (trained, not evaluated). In
/// <see cref="MultiTaskNetBuilder.Build"/>, <see cref="Backbone"/> is the user's spec behind a thin wrapper that checks the
/// first module it creates against its levels: use its <c>Name</c>, <c>Features</c>, <c>Create()</c> and
/// <c>Capability&lt;T&gt;()</c>, not its type.</summary>
public sealed record ArchitectureContext(IBackbone Backbone, IReadOnlyList<IDenseTask> Tasks, IReadOnlyList<IDenseTask> AuxiliaryTasks)
{
    /// <summary>Main then auxiliary tasks: every task that has an output and a loss.</summary>
    public IReadOnlyList<IDenseTask> AllTasks => [.. Tasks, .. AuxiliaryTasks];
}

/// <summary>An architecture spec (survey §2: encoder-focused, decoder-focused, single-tasking, baselines):
/// how backbone(s), heads and any exchange between tasks are wired.</summary>
public interface IArchitecture
{
    string Name { get; }

    /// <summary>True when the network runs one task per forward pass and trains one task per optimiser step
    /// (single-tasking, survey §2.4; ASTMT). Only balancers that weight each task by its own loss apply to it
    /// (<see cref="ILossBalancer.Separable"/>); <see cref="MultiTaskNetBuilder.Build"/> rejects the others.</summary>
    bool TaskConditional => false;

    /// <summary>The single-task networks Δm measures this architecture against, when they are not the usual backbone + head
    /// per task (ASTMT eq. 4: the same encoder and decoder trained for each task alone); null for the usual ones.</summary>
    IArchitecture? SingleTaskBaseline => null;

    /// <summary>A backbone this architecture is built for, about <paramref name="width"/> channels wide at its first stage,
    /// for experiments that leave the backbone open; null when any backbone fits.</summary>
    IBackbone? DefaultBackbone(int width) => null;

    /// <summary>The architecture to train once an experiment's single-task baselines are trained: itself (the default) for every
    /// architecture whose structure is fixed in advance. A branched-network search (<see cref="Architectures.BranchedSearch"/>, survey
    /// §2.2.4) returns the tree it derives from the trained <paramref name="baselines"/> on the probe <paramref name="images"/> [K, 3, H, W].</summary>
    IArchitecture AfterBaselines(MultiTaskNet baselines, Tensor images) => this;

    IEnumerable<string> Validate(ArchitectureContext context) => [];
    MultiTaskNet Create(ArchitectureContext context);
}
