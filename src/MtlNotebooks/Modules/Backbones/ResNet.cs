using MtlNotebooks.Data;
using MtlNotebooks.Modules.Backbones;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Spec of <see cref="ResNetModule"/>: torchvision's ResNet structure and state-dict names, optionally
/// dilated, narrowed or with ASTMT's SE blocks; <paramref name="Weights"/> (a TorchSharp state-dict file) is loaded on creation.</summary>
public sealed record ResNet(ResNetOptions Options, string? Weights = null) : IBackbone
{
    public string Name
    {
        get
        {
            var details = new List<string>();
            if (Options.WidthMultiplier != 1) details.Add($"width ×{Options.WidthMultiplier:0.###}");
            if (Options.OutputStride != 32) details.Add($"output stride {Options.OutputStride}");
            if (!Options.MultiScale) details.Add("layer4 only");
            if (Weights is not null) details.Add($"weights {Path.GetFileName(Weights)}");
            string name = $"{(Options.SqueezeExcitation ? "SE-" : "")}ResNet-{Options.Depth}";
            return details.Count == 0 ? name : $"{name} ({string.Join(", ", details)})";
        }
    }

    public FeatureInfo Features => Options.Features;

    public IEnumerable<string> Validate()
    {
        string caller = $"UseBackbone({(Options.SqueezeExcitation ? "SE" : "")}ResNet{Options.Depth})";
        foreach (var problem in Options.Validate(caller)) yield return problem;
        foreach (var problem in PretrainedWeights.Validate(Weights, caller)) yield return problem;
    }

    public Backbone Create() => PretrainedWeights.LoadInto(new ResNetModule(Options), Weights, Name);
}
