using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks;

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

    /// <summary>The parameters of the last shared layer, where GradNorm (Chen et al. 2018; survey §3.1.2) measures gradient norms
    /// and MGDA-UB (Sener &amp; Koltun 2018, §3.3) approximates its task gradients. Default: find the shared part (the
    /// outermost submodule whose parameters are all shared, e.g. the backbone), then its last registered submodule with
    /// parameters, stepping into module lists and dictionaries (so a ResNet backbone gives its last stage). Empty when
    /// nothing is shared. Architectures with a better notion of their last shared layer override this.</summary>
    public virtual IReadOnlyList<Parameter> LastSharedParameters()
    {
        var shared = SharedParameters();
        if (shared.Count == 0) return [];
        var handles = shared.Select(p => p.Handle).ToHashSet();
        bool AllShared(nn.Module m) => m.parameters().All(p => handles.Contains(p.Handle));
        bool AnyShared(nn.Module m) => m.parameters().Any(p => handles.Contains(p.Handle));

        nn.Module part = this;
        while (!AllShared(part))
        {
            var next = part.named_children().Select(c => c.module).LastOrDefault(AnyShared);
            if (next is null) return shared;    // shared parameters registered directly on a mixed module
            part = next;
        }
        while (part.named_children().Select(c => c.module).LastOrDefault(m => m.parameters().Any()) is { } last)
        {
            part = last;
            var type = last.GetType();
            bool container = type.IsGenericType && type.GetGenericTypeDefinition() is var g &&
                             (g == typeof(ModuleList<>) || g == typeof(ModuleDict<>));
            if (!container) break;
        }
        return part.parameters().Where(p => handles.Contains(p.Handle)).ToArray();
    }

    /// <summary>How one training step divides into forward/backward/optimiser passes, each over a set of tasks. Default:
    /// one pass over every task. A task-conditional network (single-tasking, survey §2.4; ASTMT) returns one pass per
    /// task, so the trainer steps once per task and parameters a task did not use get no gradient and no update.</summary>
    public virtual IReadOnlyList<IReadOnlyList<string>> TrainingPasses() => [Tasks];

    /// <summary>The outputs of one training pass's <paramref name="tasks"/>. Default: the full forward pass.</summary>
    public virtual TaskOutputs Forward(Tensor image, IReadOnlyList<string> tasks) => call(image);

    /// <summary>A term the network adds to a pass's objective once its task losses are known, or null (the default).
    /// ASTMT's adversarial discriminator on the task gradients (§4) needs the losses themselves, so it lives here.</summary>
    public virtual TrainingTerm? TrainingTerm(TaskOutputs outputs, TaskLosses losses, TaskLabels labels, StepContext step) => null;

    /// <summary>Optimiser groups with their learning-rate scales. Default: every parameter at the scheduled rate.</summary>
    public virtual IReadOnlyList<ParameterGroup> ParameterGroups() => [new("network", parameters().ToArray())];

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount() => parameters().Where(p => p.requires_grad).Sum(p => p.numel());
}
