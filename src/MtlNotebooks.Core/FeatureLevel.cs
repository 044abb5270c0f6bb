namespace MtlNotebooks;

/// <summary>One feature map a backbone emits: its name, channels and stride relative to the input.</summary>
public sealed record FeatureLevel(string Name, int Channels, int Stride)
{
    public override string ToString() => $"{Name} ({Channels} ch, stride {Stride})";
}
