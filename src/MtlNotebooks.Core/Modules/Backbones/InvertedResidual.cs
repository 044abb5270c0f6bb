using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>MobileNet-V2's inverted residual: 1x1 expansion (t ≠ 1), 3x3 depthwise, 1x1 linear projection + BN; identity
/// shortcut when stride 1 and channels equal. Field <c>conv</c> as torchvision.</summary>
public sealed class InvertedResidual : Module<Tensor, Tensor>
{
    private readonly Sequential conv;
    private readonly bool _residual;

    public InvertedResidual(int inChannels, int outChannels, int stride, int expansion) : base(nameof(InvertedResidual))
    {
        int hidden = (int)Math.Round((double)inChannels * expansion, MidpointRounding.ToEven);
        _residual = stride == 1 && inChannels == outChannels;
        var layers = new List<Module<Tensor, Tensor>>();
        if (expansion != 1) layers.Add(MobileNetV2Module.ConvBnReLU6(inChannels, hidden, 1));
        layers.Add(MobileNetV2Module.ConvBnReLU6(hidden, hidden, 3, stride, groups: hidden));
        layers.Add(Ops.Conv2d(hidden, outChannels, 1, bias: false));
        layers.Add(Ops.BatchNorm2d(outChannels));
        conv = Sequential(layers);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => _residual ? input.add(conv.call(input), One) : conv.call(input);
}
