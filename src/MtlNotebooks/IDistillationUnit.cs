using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Per-task feature maps at one scale, keyed by task name, in builder order (main tasks, then auxiliary).</summary>
public sealed class TaskFeatures : TaskTensors
{
    public TaskFeatures(IEnumerable<KeyValuePair<string, Tensor>> values) : base(values) { }

    public static TaskFeatures From(IEnumerable<string> tasks, Func<string, Tensor> select) =>
        new(tasks.Select(t => new KeyValuePair<string, Tensor>(t, select(t))));

    protected override string Kind => "features";
}

/// <summary>What a distillation unit may rely on when it is created.</summary>
/// <param name="Sources">Tasks whose features may be read: main and auxiliary (PAD-Net, MTI-Net §3.2).</param>
/// <param name="Targets">Tasks that receive distilled features: the main tasks, in builder order.</param>
/// <param name="Channels">Channels of every task's features at this scale.</param>
/// <param name="Level">The scale (name, channels of the backbone there, stride); MTI-Net distils per scale.</param>
public sealed record DistillationContext(IReadOnlyList<string> Sources, IReadOnlyList<string> Targets, int Channels, FeatureLevel Level);

/// <summary>Multi-modal distillation: exchanges information between task features (survey §2.3; PAD-Net; MTI-Net §3.2,
/// eq. 1: "any type of feature distillation … can be plugged in"). Its module maps the features of every source task to
/// distilled features of every target task, at unchanged shape. <see cref="Contracts.Check(IDistillationUnit, DistillationContext?, int)"/>
/// checks a unit of your own against this.</summary>
public interface IDistillationUnit
{
    string Name { get; }
    IEnumerable<string> Validate(DistillationContext context) => [];
    nn.Module<TaskFeatures, TaskFeatures> Create(DistillationContext context);
}

/// <summary>What a feature propagation module may rely on: the tasks it propagates and their channels at its scale.</summary>
public sealed record PropagationContext(IReadOnlyList<string> Tasks, int Channels, FeatureLevel Level);

/// <summary>Propagates task features from one scale to the next (MTI-Net's FPM, §3.3): its module maps per-task
/// features to per-task features of the same shape, which the architecture hands to the next finer scale.
/// <see cref="Contracts.Check(IFeaturePropagation, PropagationContext?, int)"/> checks one of your own against this.</summary>
public interface IFeaturePropagation
{
    string Name { get; }
    IEnumerable<string> Validate(PropagationContext context) => [];
    nn.Module<TaskFeatures, TaskFeatures> Create(PropagationContext context);
}
