using MtlNotebooks.Sharing;
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

    /// <summary>Parameters that the losses of two or more tasks reach in the autograd graph: where gradient-based
    /// balancers (GradNorm, MGDA, PCGrad, …) look. Not declared by the architecture but measured, once, by
    /// <see cref="Reach"/> on a small probe batch, so it cannot drift from what the forward pass does (PAD-Net's
    /// fusion layer, which feeds every task, counts). Empty when nothing is shared (single-task baselines).</summary>
    public IReadOnlyList<Parameter> SharedParameters() => Resolve(Reach().Shared);

    /// <summary>The parameters of the last shared layer, where GradNorm (Chen et al. 2018; survey §3.1.2) measures gradient norms
    /// and MGDA-UB (Sener &amp; Koltun 2018, §3.3) approximates its task gradients. Derived from <see cref="SharedParameters"/>:
    /// find the shared part (the outermost submodule whose parameters are all shared, e.g. the backbone), then its last
    /// registered submodule with parameters, stepping into module lists and dictionaries (so a ResNet backbone gives its
    /// last stage). A dictionary keyed by tasks holds parallel per-task branches that are all shared (PAD-Net's task
    /// features, which distillation hands to every task): then the last layer of every branch. Always a subset of the
    /// shared parameters; empty when nothing is shared.</summary>
    public IReadOnlyList<Parameter> LastSharedParameters() => Resolve(Reach().LastShared);

    /// <summary>Which parameters (by name) each task's outputs reach in the autograd graph: the measurement behind
    /// <see cref="SharedParameters"/>. Measured once, on first use, by <see cref="ParameterReach.Measure"/> and cached (by
    /// name, so moving the network to another device or loading a checkpoint keeps it valid).</summary>
    public ParameterReach Reach() => _reach ??= ParameterReach.Measure(this);

    private ParameterReach? _reach;

    private IReadOnlyList<Parameter> Resolve(IReadOnlyList<string> names)
    {
        if (names.Count == 0) return [];
        var all = named_parameters().ToDictionary(p => p.name, p => p.parameter);
        return names.Select(n => all[n]).ToArray();
    }

    /// <summary>How one training step divides into forward/backward/optimiser passes, each over a set of tasks. Default:
    /// one pass over every task. A task-conditional network (single-tasking, survey §2.4; ASTMT) returns one pass per
    /// task, so the trainer steps once per task and parameters a task did not use get no gradient and no update. A single
    /// pass trains every task with a loss, auxiliary tasks included.</summary>
    public virtual IReadOnlyList<IReadOnlyList<string>> TrainingPasses() => [Tasks];

    /// <summary>The one image size this network takes (height, width), or null when it takes any: TaskPrompter's channel
    /// prompting has one weight per patch of its ViT's grid. Probes (<see cref="Reach"/>) run at this size.</summary>
    public virtual (int Height, int Width)? InputSize => null;

    /// <summary>The outputs of one training pass's <paramref name="tasks"/>. Default: the full forward pass.</summary>
    public virtual TaskOutputs Forward(Tensor image, IReadOnlyList<string> tasks) => call(image);

    /// <summary>A term the network adds to a pass's objective once its task losses are known, or null (the default).
    /// ASTMT's adversarial discriminator on the task gradients (§4) needs the losses themselves, so it lives here.</summary>
    public virtual TrainingTerm? TrainingTerm(TaskOutputs outputs, TaskLosses losses, TaskLabels labels, StepContext step) => null;

    /// <summary>Optimiser groups with their learning-rate scales. Default: every parameter at the scheduled rate.</summary>
    public virtual IReadOnlyList<ParameterGroup> ParameterGroups() => [new("network", parameters().ToArray())];

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount() => parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>Loads a state dict written by PyTorch (the authors' code: <c>.pth</c>, a <c>.pth.tar</c> checkpoint,
    /// DataParallel's prefix), as <c>.safetensors</c> or by <see cref="SaveWeights"/>, strictly by name; throws listing
    /// every missing, unexpected and wrong-shape key at once, leaving the network untouched.</summary>
    public void LoadWeights(string path) => Weights.PretrainedWeights.Load(this, path, GetName());

    /// <summary>Writes the state dict atomically in the format the extension names (.safetensors, .pth, .dat). With
    /// <paramref name="referenceNames"/>, under the names of the authors' code this network reproduces (where they
    /// differ, <see cref="Weights.IReferenceKeys"/>), so their model built from the matching configuration loads it
    /// with <c>strict=True</c>.</summary>
    public void SaveWeights(string path, bool referenceNames = false) => Weights.StateDictFile.Write(path, this, referenceNames);
}
