using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.Layers;

/// <summary>ResNet's basic block: conv3x3-BN-ReLU, conv3x3-BN (+ SE), identity or 1x1 projection shortcut, add, ReLU. Two
/// state-dict layouts, so that each model's weights load by the names of its reference: torchvision's (the constructor:
/// conv1, bn1, conv2, bn2, downsample.0 conv1x1, downsample.1 BN; the ResNets, HRNet, the residual head) and the MTI-Net
/// reference code's <see cref="ConvBnAct"/> units (<see cref="OfConvBnUnits"/>: conv1.conv, conv1.bn, …, downsample.conv;
/// the small ResNet, MTI-Net, the FPM). torchvision refuses dilation here; the survey's dilated ResNet-18 uses it
/// (padding = dilation), so it is allowed.</summary>
public sealed class ResNetBasicBlock : Module<Tensor, Tensor>
{
    // With ConvBnAct units, conv1 and conv2 hold their own BN (and conv1 its ReLU): bn1, relu and bn2 stay null.
    private readonly Module<Tensor, Tensor> conv1;
    private readonly ScalarSafeBatchNorm2d? bn1;
    private readonly ReLU? relu;
    private readonly Module<Tensor, Tensor> conv2;
    private readonly ScalarSafeBatchNorm2d? bn2;
    private readonly SqueezeExcitation? se;
    private readonly Module<Tensor, Tensor>? downsample;

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

    private ResNetBasicBlock(ConvBnAct conv1, ConvBnAct conv2, ConvBnAct? downsample) : base(nameof(ResNetBasicBlock))
    {
        this.conv1 = conv1;
        this.conv2 = conv2;
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <summary>The block of <see cref="ConvBnAct"/> units (BN momentum 0.1), with a 1x1 projection shortcut when
    /// <paramref name="stride"/> or the channel count changes.</summary>
    public static ResNetBasicBlock OfConvBnUnits(int inChannels, int outChannels, int stride = 1) => new(
        new ConvBnAct(inChannels, outChannels, 3, stride),
        new ConvBnAct(outChannels, outChannels, 3, activation: false),
        stride != 1 || inChannels != outChannels ? new ConvBnAct(inChannels, outChannels, 1, stride, activation: false) : null);

    public override Tensor forward(Tensor input)
    {
        var y = conv1.call(input);
        if (bn1 is not null) y = relu!.call(bn1.call(y));
        y = conv2.call(y);
        if (bn2 is not null) y = bn2.call(y);
        if (se is not null) y = se.call(y);
        var shortcut = downsample is null ? input : downsample.call(input);
        return relu is null ? functional.relu(y.add(shortcut, One)) : relu.call(y.add(shortcut, One));
    }
}
