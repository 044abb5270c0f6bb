using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.Layers;

/// <summary>torchvision's Bottleneck (v1.5): conv1x1-BN-ReLU, conv3x3 (stride, dilation)-BN-ReLU, conv1x1 to 4·planes-BN
/// (+ SE, ASTMT), shortcut, add, ReLU.</summary>
public sealed class ResNetBottleneck : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly ScalarSafeBatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly ScalarSafeBatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly ScalarSafeBatchNorm2d bn3;
    private readonly ReLU relu;
    private readonly SqueezeExcitation? se;
    private readonly Sequential? downsample;

    /// <summary>A block of <paramref name="planes"/> channels (BN momentum <paramref name="bnMomentum"/>: 0.1 as torchvision, 0.01 in HRNet).</summary>
    public ResNetBottleneck(int inChannels, int planes, int stride = 1, int dilation = 1, bool project = false, bool squeezeExcitation = false,
        double bnMomentum = 0.1)
        : base(nameof(ResNetBottleneck))
    {
        int outChannels = planes * 4;
        conv1 = Ops.Conv2d(inChannels, planes, 1, bias: false);
        bn1 = Ops.BatchNorm2d(planes, momentum: bnMomentum);
        conv2 = Ops.Conv2d(planes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn2 = Ops.BatchNorm2d(planes, momentum: bnMomentum);
        conv3 = Ops.Conv2d(planes, outChannels, 1, bias: false);
        bn3 = Ops.BatchNorm2d(outChannels, momentum: bnMomentum);
        relu = ReLU(inplace: true);
        if (squeezeExcitation) se = new SqueezeExcitation(outChannels, 16);
        if (project) downsample = Sequential(Ops.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false), Ops.BatchNorm2d(outChannels, momentum: bnMomentum));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var y = relu.call(bn1.call(conv1.call(input)));
        y = relu.call(bn2.call(conv2.call(y)));
        y = bn3.call(conv3.call(y));
        if (se is not null) y = se.call(y);
        var shortcut = downsample is null ? input : downsample.call(input);
        return relu.call(y.add(shortcut, One));
    }
}
