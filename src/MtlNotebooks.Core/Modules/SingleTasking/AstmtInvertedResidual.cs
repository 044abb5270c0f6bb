using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>The SE-MobileNet-V2 block of ASTMT's MobileNet variant (appendix), field for field as the official code:
/// <c>conv</c> = 1x1 expansion (when t ≠ 1), 3x3 depthwise (dilated), 1x1 projection, each with batch norm shared or per
/// task and ReLU6 but the last; then <c>se</c>, an SE block (reduction 4, ReLU6) shared or per task; identity shortcut at
/// stride 1 with equal channels.</summary>
public sealed class AstmtInvertedResidual : Module<Tensor, Tensor>
{
    private readonly InvertedResidualConvs conv;
    private readonly TaskSqueezeExcitation se;
    private readonly bool _residual;

    public AstmtInvertedResidual(int inChannels, int outChannels, int stride, int expansion, int dilation, AstmtEncoderLayers layers)
        : base(nameof(AstmtInvertedResidual))
    {
        _residual = stride == 1 && inChannels == outChannels;
        conv = new InvertedResidualConvs(inChannels, (int)Math.Round((double)inChannels * expansion, MidpointRounding.ToEven), outChannels,
            stride, dilation, expansion != 1, layers);
        se = new TaskSqueezeExcitation(outChannels, 4, layers.TaskSqueeze ? layers.Tasks : null, layers.Active, relu6: true);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var y = se.call(conv.call(input));
        return _residual ? input.add(y, One) : y;
    }

    /// <summary>The official <c>InvResidualExpand</c> (conv1..conv3) or, without expansion, <c>InvResidualCommon</c> (conv1, conv2).</summary>
    private sealed class InvertedResidualConvs : Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1;
        private readonly Module<Tensor, Tensor> bn1;
        private readonly Conv2d conv2;
        private readonly Module<Tensor, Tensor> bn2;
        private readonly Conv2d? conv3;
        private readonly Module<Tensor, Tensor>? bn3;

        public InvertedResidualConvs(int inChannels, int hidden, int outChannels, int stride, int dilation, bool expand, AstmtEncoderLayers layers)
            : base(nameof(InvertedResidualConvs))
        {
            var depthwise = Ops.Conv2d(hidden, hidden, 3, stride: stride, padding: dilation, dilation: dilation, groups: hidden, bias: false);
            if (expand)
            {
                (conv1, bn1) = (Ops.Conv2d(inChannels, hidden, 1, bias: false), layers.Norm(hidden));
                (conv2, bn2) = (depthwise, layers.Norm(hidden));
                (conv3, bn3) = (Ops.Conv2d(hidden, outChannels, 1, bias: false), layers.Norm(outChannels));
            }
            else
            {
                (conv1, bn1) = (depthwise, layers.Norm(hidden));
                (conv2, bn2) = (Ops.Conv2d(hidden, outChannels, 1, bias: false), layers.Norm(outChannels));
            }
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            var x = functional.relu6(bn1.call(conv1.call(input)));
            x = bn2.call(conv2.call(x));
            if (conv3 is null) return x;
            return bn3!.call(conv3.call(functional.relu6(x)));
        }
    }
}
