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
    private readonly bool _gemmShape;   // stride 1, odd kernel above 1x1: what GemmConvolution computes
    private readonly long _dilation;

    public ConvBnAct(int inChannels, int outChannels, int kernel = 3, int stride = 1, int dilation = 1, bool activation = true)
        : base(nameof(ConvBnAct))
    {
        conv = Conv2d(inChannels, outChannels, kernel, stride: stride, padding: dilation * (kernel / 2), dilation: dilation, bias: false);
        bn = new ScalarSafeBatchNorm2d(outChannels);
        _activation = activation;
        (_gemmShape, _dilation) = (stride == 1 && kernel > 1 && kernel % 2 == 1, dilation);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        // In training only: evaluation and resource counts (which hook the conv) run conv2d itself.
        var z = training && _gemmShape && GemmConvolution.Pays(input) ? GemmConvolution.Forward(input, conv.weight!, _dilation) : conv.call(input);
        var y = bn.call(z);
        return _activation ? functional.relu(y) : y;
    }
}
