using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Layers;

/// <summary>Conv2d → BatchNorm2d → ReLU (ReLU optional): the unit every backbone and head here is made of.
/// Fields are named like torchvision's so that state-dict keys read naturally (conv, bn).</summary>
public sealed class ConvBnAct : Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly ScalarSafeBatchNorm2d bn;
    private readonly bool _activation;

    public ConvBnAct(int inChannels, int outChannels, int kernel = 3, int stride = 1, int dilation = 1, bool activation = true)
        : base(nameof(ConvBnAct))
    {
        conv = Ops.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: dilation * (kernel / 2), dilation: dilation, bias: false);
        bn = Ops.BatchNorm2d(outChannels);
        _activation = activation;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var y = bn.call(Ops.Convolve(conv, input));   // the runtime picks how to convolve (Ops.Convolve)
        return _activation ? functional.relu(y) : y;
    }
}
