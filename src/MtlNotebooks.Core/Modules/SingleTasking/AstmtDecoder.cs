using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>ASTMT's decoder (§4.1, DeepLab-v3+ of width 64), field for field as the official <c>ASPPv3Plus</c>: ASPP
/// (<c>layer5</c>) on the encoder's last map, the stride-4 map reduced to 48·w/256 channels (<c>low_level_reduce</c>),
/// concatenated, two 3x3 units (<c>conv_concat</c>, <c>conv_process</c>) whose output is the task's decoder features
/// (where the discriminator reads the gradient, §4), then the task's 1x1 classifier (<c>conv_predict</c>). The MobileNet
/// variant (<c>ASPPDecoderMnet</c>) groups its convs (depthwise 3x3 last), uses ReLU6 and puts the low-level map first.</summary>
public sealed class AstmtDecoder : Module<Tensor, Tensor, (Tensor Output, Tensor Features)>
{
    private readonly TaskConv low_level_reduce;
    private readonly AstmtAspp layer5;
    private readonly TaskConv conv_concat;
    private readonly TaskConv conv_process;
    private readonly PerTask conv_predict;
    private readonly bool _lowLevelFirst;

    public AstmtDecoder(int lowChannels, int highChannels, IReadOnlyDictionary<string, int> outputs, int width, IReadOnlyList<int> rates,
        TaskConvStyle style) : base(nameof(AstmtDecoder))
    {
        int low = 48 * width / 256;
        bool mobile = style.MobileNet;
        _lowLevelFirst = mobile;
        layer5 = new AstmtAspp(highChannels, width, rates, style);
        low_level_reduce = new TaskConv([Ops.Conv2d(lowChannels, low, 1, groups: mobile ? Gcd(lowChannels, low) : 1, bias: false)], style, reduction: 4);
        conv_concat = new TaskConv([Ops.Conv2d(width + low, width, 3, padding: 1, groups: mobile ? Gcd(width + low, width) : 1, bias: false)], style);
        conv_process = new TaskConv([Ops.Conv2d(width, width, 3, padding: 1, groups: mobile ? width : 1, bias: false)], style);
        conv_predict = new PerTask(style.Tasks, style.Active, task => Ops.Conv2d(width, outputs[task], 1));
        RegisterComponents();
    }

    /// <summary>The active task's prediction at stride 4 and the decoder features it is computed from.</summary>
    public override (Tensor Output, Tensor Features) forward(Tensor lowLevel, Tensor highLevel)
    {
        var low = low_level_reduce.call(lowLevel);
        var context = Resize.To(layer5.call(highLevel), low.shape[2], low.shape[3]);
        var features = conv_process.call(conv_concat.call(cat(_lowLevelFirst ? [low, context] : [context, low], 1)));
        return (conv_predict.call(features), features);
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
