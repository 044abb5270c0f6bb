using MtlNotebooks.Data;
using MtlNotebooks.Modules.Backbones;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Spec of <see cref="HRNetModule"/>: the survey code's HRNet, field names equal to its state-dict keys;
/// <paramref name="Weights"/> is loaded on creation.</summary>
public sealed record HRNet(HRNetOptions Config, string? Weights = null) : IBackbone
{
    public string Name => $"HRNet-W{Config.Width} (stage 1 {Config.Stage1Blocks} blocks, modules {string.Join("/", Config.StageModules)}, " +
                          $"{Config.BlocksPerBranch} blocks per branch{(Weights is null ? "" : $", weights {Path.GetFileName(Weights)}")})";

    public FeatureInfo Features => Config.Features;

    public IEnumerable<string> Validate()
    {
        foreach (var problem in Config.Validate("UseBackbone(HRNet)")) yield return problem;
        foreach (var problem in PretrainedWeights.Validate(Weights, "UseBackbone(HRNet)")) yield return problem;
    }

    public Backbone Create() => PretrainedWeights.LoadInto(new HRNetModule(Config), Weights, Name);
}
