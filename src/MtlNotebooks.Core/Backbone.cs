using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>The runtime backbone: an image [B, 3, H, W] in, one feature map per level out.</summary>
public abstract class Backbone : nn.Module<Tensor, FeatureMaps>
{
    protected Backbone(string name) : base(name) { }

    /// <summary>The levels this module emits; equal to its spec's <see cref="IBackbone.Features"/>.</summary>
    public abstract FeatureInfo Features { get; }
}
