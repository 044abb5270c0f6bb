using MtlNotebooks.Data;
using MtlNotebooks.Modules.Backbones;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Spec of <see cref="MobileNetV2Module"/>: torchvision's structure and state-dict names; <paramref name="Weights"/> is loaded on creation.</summary>
public sealed record MobileNetV2(MobileNetV2Options Options, string? Weights = null) : IBackbone
{
    public string Name => Options.WidthMultiplier == 1 && Weights is null
        ? "MobileNet-V2"
        : $"MobileNet-V2 (width ×{Options.WidthMultiplier:0.###}{(Weights is null ? "" : $", weights {Path.GetFileName(Weights)}")})";

    public FeatureInfo Features => Options.Features;

    public IEnumerable<string> Validate()
    {
        foreach (var problem in Options.Validate("UseBackbone(MobileNetV2)")) yield return problem;
        foreach (var problem in PretrainedWeights.Validate(Weights, "UseBackbone(MobileNetV2)")) yield return problem;
    }

    public Backbone Create() => PretrainedWeights.LoadInto(new MobileNetV2Module(Options), Weights, Name);
}
