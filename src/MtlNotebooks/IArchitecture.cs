using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>What an architecture may rely on when it is created: the backbone spec (whose levels are known), the
/// main tasks (that get final outputs and metrics) and the auxiliary tasks (trained, not evaluated).</summary>
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
    IEnumerable<string> Validate(ArchitectureContext context) => [];
    MultiTaskNet Create(ArchitectureContext context);
}

/// <summary>A built multi-task network: image [B, 3, H, W] in, one raw output per task at the input size out.
/// Create one with <see cref="CreateBuilder"/>; every architecture derives from this class.</summary>
public abstract class MultiTaskNet : nn.Module<Tensor, TaskOutputs>
{
    protected MultiTaskNet(string name, IReadOnlyList<string> tasks) : base(name) => Tasks = tasks;

    /// <summary>The fluent, immutable builder: the front door of the library.</summary>
    public static MultiTaskNetBuilder CreateBuilder() => new();

    /// <summary>Names of every task this network predicts (main, then auxiliary).</summary>
    public IReadOnlyList<string> Tasks { get; }

    /// <summary>Parameters that every task's loss depends on: where gradient-based balancers (GradNorm, MGDA, PCGrad)
    /// look. Empty when nothing is shared (single-task baselines).</summary>
    public abstract IReadOnlyList<Parameter> SharedParameters();

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount() => parameters().Where(p => p.requires_grad).Sum(p => p.numel());
}
