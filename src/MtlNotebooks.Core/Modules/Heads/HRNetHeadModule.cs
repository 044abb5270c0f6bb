using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Heads;

/// <summary>The HRNet head of the survey / MTI-Net code: every level resized to the finest (stride 4), concatenated
/// (270 channels on HRNet-18), 1x1 conv (bias) + BN + ReLU at the same width, 1x1 conv (bias) to the task's outputs.
/// Field <c>last_layer</c> (children 0, 1, 2, 3) as the reference, so its weights load by name.</summary>
public sealed class HRNetHeadModule : Module<FeatureMaps, Tensor>
{
    private readonly Sequential last_layer;

    public HRNetHeadModule(FeatureInfo features, int outputChannels) : base(nameof(HRNetHeadModule))
    {
        int channels = features.TotalChannels;
        last_layer = Sequential(Ops.Conv2d(channels, channels, 1), Ops.BatchNorm2d(channels), ReLU(), Ops.Conv2d(channels, outputChannels, 1));
        RegisterComponents();
    }

    public override Tensor forward(FeatureMaps features) => last_layer.call(Resize.ConcatAtFinest(features));
}
