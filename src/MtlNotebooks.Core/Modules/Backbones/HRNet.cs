using MtlNotebooks.Weights;
using MtlNotebooks.Modules.Backbones;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Spec of <see cref="HRNetModule"/>: the survey code's HRNet, field names equal to its state-dict keys;
/// <paramref name="Weights"/> is loaded on creation.</summary>
public sealed record HRNet(HRNetOptions Options, string? Weights = null) : IBackbone, IPretrainableBackbone
{
    public IBackbone WithWeights(string path) => this with { Weights = path };

    public string Name => $"HRNet-W{Options.Width} (stage 1 {Options.Stage1Blocks} blocks, modules {string.Join("/", Options.StageModules)}, " +
                          $"{Options.BlocksPerBranch} blocks per branch{(Weights is null ? "" : $", weights {Path.GetFileName(Weights)}")})";

    public FeatureInfo Features => Options.Features;

    public IEnumerable<string> Validate()
    {
        foreach (var problem in Options.Validate("UseBackbone(HRNet)")) yield return problem;
        foreach (var problem in PretrainedWeights.Validate(Weights, "UseBackbone(HRNet)")) yield return problem;
    }

    /// <summary>The module, with <see cref="Weights"/> loaded when given; the ImageNet classification head of the
    /// HRNet file (<c>incre_modules</c>, <c>downsamp_modules</c>, <c>final_layer</c>, <c>classifier</c>) is skipped,
    /// as MTI-Net's code loads it.</summary>
    public Backbone Create() => PretrainedWeights.LoadInto(new HRNetModule(Options), Weights, Name, IsImageNetHead);

    /// <summary>Keys of the HRNet ImageNet file's classification head, which the dense-prediction backbone does not have.</summary>
    public static bool IsImageNetHead(string key) =>
        key.StartsWith("incre_modules.", StringComparison.Ordinal) || key.StartsWith("downsamp_modules.", StringComparison.Ordinal) ||
        key.StartsWith("final_layer.", StringComparison.Ordinal) || key.StartsWith("classifier.", StringComparison.Ordinal);
}
