using static TorchSharp.torch;

namespace MtlNotebooks;

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
