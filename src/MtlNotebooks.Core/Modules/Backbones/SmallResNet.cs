using MtlNotebooks.Modules.Backbones;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Spec of <see cref="SmallResNetModule"/> with basic blocks.</summary>
public sealed record SmallResNet(int Width, IReadOnlyList<int> Blocks) : IBackbone, IStagedBackbone
{
    public FeatureInfo StageLevels => Features;

    public IReadOnlyList<int> StageBlocks => Blocks;

    public string Name => $"SmallResNet(width {Width}, blocks [{string.Join(", ", Blocks)}])";

    public FeatureInfo Features => Options.Features;

    private SmallResNetOptions Options => new(Width, Blocks);

    public IEnumerable<string> Validate()
    {
        if (Width < 1) yield return $"UseBackbone({nameof(SmallResNet)}): width must be >= 1, got {Width}.";
        if (Blocks.Count == 0) yield return $"UseBackbone({nameof(SmallResNet)}): needs at least one stage.";
        if (Blocks.Any(b => b < 1)) yield return $"UseBackbone({nameof(SmallResNet)}): every stage needs >= 1 block, got [{string.Join(", ", Blocks)}].";
    }

    public Backbone Create() => new SmallResNetModule(Options);
}
