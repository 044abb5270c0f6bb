using MtlNotebooks.Data;
using MtlNotebooks.Modules.Backbones;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Spec of <see cref="ResNetModule"/>: torchvision's ResNet structure and state-dict names, optionally
/// dilated, narrowed or with ASTMT's SE blocks; <paramref name="Weights"/> (a TorchSharp state-dict file) is loaded on creation.</summary>
public sealed record ResNet(ResNetOptions Config, string? Weights = null) : IBackbone
{
    public string Name
    {
        get
        {
            var details = new List<string>();
            if (Config.WidthMultiplier != 1) details.Add($"width ×{Config.WidthMultiplier:0.###}");
            if (Config.OutputStride != 32) details.Add($"output stride {Config.OutputStride}");
            if (!Config.MultiScale) details.Add("layer4 only");
            if (Weights is not null) details.Add($"weights {Path.GetFileName(Weights)}");
            string name = $"{(Config.SqueezeExcitation ? "SE-" : "")}ResNet-{Config.Depth}";
            return details.Count == 0 ? name : $"{name} ({string.Join(", ", details)})";
        }
    }

    public FeatureInfo Features => Config.Features;

    public IEnumerable<string> Validate()
    {
        string caller = $"UseBackbone({(Config.SqueezeExcitation ? "SE" : "")}ResNet{Config.Depth})";
        foreach (var problem in Config.Validate(caller)) yield return problem;
        foreach (var problem in PretrainedWeights.Validate(Weights, caller)) yield return problem;
    }

    public Backbone Create() => PretrainedWeights.LoadInto(new ResNetModule(Config), Weights, Name);
}
