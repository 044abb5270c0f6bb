using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>The SE-ResNet bottleneck of ASTMT's encoder, field for field as the official code (Caffe-style: the stride
/// sits on the first 1x1 conv): conv1-bn1-ReLU, conv2 (3x3, dilated) with an optional per-task residual adapter beside it,
/// bn2-ReLU, conv3-bn3, SE (shared, per task, or none for a plain ResNet), shortcut, add, ReLU. Batch norms are shared or
/// one per task.</summary>
public sealed class AstmtBottleneck : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly Module<Tensor, Tensor> bn1;
    private readonly Conv2d conv2;
    private readonly Module<Tensor, Tensor> bn2;
    private readonly Conv2d conv3;
    private readonly Module<Tensor, Tensor> bn3;
    private readonly Module<Tensor, Tensor>? adapt;
    private readonly TaskSqueezeExcitation? se;
    private readonly Module<Tensor, Tensor>? downsample;

    public AstmtBottleneck(int inChannels, int planes, int stride, int dilation, bool project, AstmtEncoderLayers layers) : base(nameof(AstmtBottleneck))
    {
        int outChannels = planes * 4;
        conv1 = Ops.Conv2d(inChannels, planes, 1, stride: stride, bias: false);
        conv2 = Ops.Conv2d(planes, planes, 3, padding: dilation, dilation: dilation, bias: false);
        conv3 = Ops.Conv2d(planes, outChannels, 1, bias: false);
        bn1 = layers.Norm(planes);
        bn2 = layers.Norm(planes);
        bn3 = layers.Norm(outChannels);
        if (layers.Adapters) adapt = new PerTask(layers.Tasks, layers.Active, _ => TaskConv.ZeroConv1x1(planes, planes));
        se = layers.Squeeze(outChannels);
        if (project) downsample = new AstmtDownsample(Ops.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false), layers.Norm(outChannels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var y = functional.relu(bn1.call(conv1.call(input)));
        y = adapt is null ? conv2.call(y) : adapt.call(y).add(conv2.call(y), One);
        y = functional.relu(bn2.call(y));
        y = bn3.call(conv3.call(y));
        if (se is not null) y = se.call(y);
        var shortcut = downsample is null ? input : downsample.call(input);
        return functional.relu(y.add(shortcut, One));
    }
}
