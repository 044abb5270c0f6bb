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
