namespace MtlNotebooks;

/// <summary>The feature levels of a backbone, finest first, known before any module is created (the idea of
/// timm's <c>feature_info</c>): heads and architectures size themselves from it and <c>Build()</c> checks it.</summary>
public sealed class FeatureInfo
{
    public FeatureInfo(IEnumerable<FeatureLevel> levels)
    {
        Levels = levels.ToArray();
        if (Levels.Count == 0) throw new ArgumentException("A backbone must expose at least one feature level.", nameof(levels));
    }

    public IReadOnlyList<FeatureLevel> Levels { get; }
    public int Count => Levels.Count;
    public FeatureLevel this[int index] => Levels[index];
    public FeatureLevel Finest => Levels[0];
    public FeatureLevel Coarsest => Levels[^1];
    public int TotalChannels => Levels.Sum(l => l.Channels);

    public override string ToString() => string.Join(", ", Levels);
}
