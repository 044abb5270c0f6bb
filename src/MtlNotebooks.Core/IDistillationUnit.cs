using static TorchSharp.torch;

namespace MtlNotebooks;

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
