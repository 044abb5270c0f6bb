using MtlNotebooks.Modules.Backbones;

namespace MtlNotebooks;

/// <summary>Backbone factory: the front door for every encoder the builder can use.</summary>
public static class Backbones
{
    /// <summary>A narrow multi-scale ResNet with basic blocks (strides 4, 8, 16, 32; channels width·1, 2, 4, 8)
    /// that trains in minutes on a CPU: the backbone of the quick run and the tutorials.</summary>
    public static SmallResNet SmallResNet(int width = 16, params int[] blocks) =>
        new(width, blocks.Length == 0 ? [1, 1, 1, 1] : blocks);
}

/// <summary>Spec of <see cref="Modules.Backbones.ResNet"/> with basic blocks.</summary>
public sealed record SmallResNet(int Width, IReadOnlyList<int> Blocks) : IBackbone
{
    public string Name => $"SmallResNet(width {Width}, blocks [{string.Join(", ", Blocks)}])";

    public FeatureInfo Features => Options.Features;

    private ResNetOptions Options => new(Width, Blocks);

    public IEnumerable<string> Validate()
    {
        if (Width < 1) yield return $"UseBackbone({nameof(SmallResNet)}): width must be >= 1, got {Width}.";
        if (Blocks.Count == 0) yield return $"UseBackbone({nameof(SmallResNet)}): needs at least one stage.";
        if (Blocks.Any(b => b < 1)) yield return $"UseBackbone({nameof(SmallResNet)}): every stage needs >= 1 block, got [{string.Join(", ", Blocks)}].";
    }

    public Backbone Create() => new ResNet(Options);
}
