using MtlNotebooks.Weights;
using MtlNotebooks.Modules.Backbones;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Spec of <see cref="HRNetModule"/>: the survey code's HRNet, field names equal to its state-dict keys;
/// <paramref name="Weights"/> is loaded on creation.</summary>
public sealed record HRNet(HRNetOptions Options, string? Weights = null) : IBackbone
{
    public string Name => $"HRNet-W{Options.Width} (stage 1 {Options.Stage1Blocks} blocks, modules {string.Join("/", Options.StageModules)}, " +
                          $"{Options.BlocksPerBranch} blocks per branch{(Weights is null ? "" : $", weights {Path.GetFileName(Weights)}")})";

    public FeatureInfo Features => Options.Features;

    public IEnumerable<string> Validate()
    {
        foreach (var problem in Options.Validate("UseBackbone(HRNet)")) yield return problem;
        foreach (var problem in PretrainedWeights.Validate(Weights, "UseBackbone(HRNet)")) yield return problem;
    }

    public Backbone Create() => PretrainedWeights.LoadInto(new HRNetModule(Options), Weights, Name);
}
