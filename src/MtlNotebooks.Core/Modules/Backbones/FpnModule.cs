using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>A bottom-up backbone (<c>body</c>) followed by a <see cref="FeaturePyramidNetwork"/> (<c>fpn</c>): the layout and
/// state-dict prefixes of torchvision's <c>BackboneWithFPN</c>. MTI-Net's R18-FPN and R50-FPN backbones.</summary>
public sealed class FpnModule : Backbone
{
    private readonly Backbone body;
    private readonly FeaturePyramidNetwork fpn;
    private readonly FeatureInfo _features;

    public FpnModule(Backbone body, FpnOptions options) : base($"{body.GetName()}-FPN")
    {
        this.body = body;
        fpn = new FeaturePyramidNetwork(body.Features.Levels.Select(l => l.Channels).ToArray(), options.Channels);
        _features = FpnFeatures(body.Features, options.Channels);
        RegisterComponents();
    }

    public override FeatureInfo Features => _features;

    public override FeatureMaps forward(Tensor input) => fpn.call(body.call(input));

    /// <summary>The pyramid's levels: the bottom-up strides, <paramref name="channels"/> each, named P2… after the FPN paper
    /// (P<i>k</i> has stride 2^<i>k</i>).</summary>
    public static FeatureInfo FpnFeatures(FeatureInfo bottomUp, int channels) =>
        new(bottomUp.Levels.Select(l => new FeatureLevel($"P{Math.Round(Math.Log2(l.Stride))}", channels, l.Stride)));
}
