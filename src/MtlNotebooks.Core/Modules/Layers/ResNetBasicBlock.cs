using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Layers;

/// <summary>torchvision's BasicBlock: conv3x3-BN-ReLU, conv3x3-BN (+ SE), shortcut (downsample.0 conv1x1, downsample.1 BN), add, ReLU.
/// torchvision refuses dilation here; the survey's dilated ResNet-18 uses it (padding = dilation), so it is allowed.</summary>
public sealed class ResNetBasicBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly ScalarSafeBatchNorm2d bn1;
    private readonly ReLU relu;
    private readonly Conv2d conv2;
    private readonly ScalarSafeBatchNorm2d bn2;
    private readonly SqueezeExcitation? se;
    private readonly Sequential? downsample;

    /// <summary>A block of <paramref name="planes"/> channels (BN momentum <paramref name="bnMomentum"/>: 0.1 as torchvision, 0.01 in HRNet).</summary>
    public ResNetBasicBlock(int inChannels, int planes, int stride = 1, int dilation = 1, bool project = false, bool squeezeExcitation = false,
        double bnMomentum = 0.1)
        : base(nameof(ResNetBasicBlock))
    {
        conv1 = Ops.Conv2d(inChannels, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn1 = Ops.BatchNorm2d(planes, momentum: bnMomentum);
        relu = ReLU(inplace: true);
        conv2 = Ops.Conv2d(planes, planes, 3, padding: dilation, dilation: dilation, bias: false);
        bn2 = Ops.BatchNorm2d(planes, momentum: bnMomentum);
        if (squeezeExcitation) se = new SqueezeExcitation(planes, 16);
        if (project) downsample = Sequential(Ops.Conv2d(inChannels, planes, 1, stride: stride, bias: false), Ops.BatchNorm2d(planes, momentum: bnMomentum));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var y = bn2.call(conv2.call(relu.call(bn1.call(conv1.call(input)))));
        if (se is not null) y = se.call(y);
        var shortcut = downsample is null ? input : downsample.call(input);
        return relu.call(y + shortcut);
    }
}
