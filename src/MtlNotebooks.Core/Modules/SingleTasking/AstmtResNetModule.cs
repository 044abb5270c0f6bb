using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>ASTMT on an SE-ResNet encoder (R-26/50/101), field for field as the official <c>deeplab_se_resnet_multitask</c>:
/// stem (<c>conv1</c>, <c>bn1</c>, shared), <c>layer1</c>..<c>layer4</c> of <see cref="AstmtBottleneck"/>s (layer 4 dilated
/// by 2 for output stride 16; layers 3/4 by 2/4 for 8, with the ASPP rates doubled), the <see cref="AstmtDecoder"/> on layer 1
/// and layer 4, and the <see cref="GradientDiscriminator"/> when adversarial. The state-dict keys equal the official code's.</summary>
public sealed class AstmtResNetModule : AstmtModule
{
    private readonly Conv2d conv1;
    private readonly ScalarSafeBatchNorm2d bn1;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly bool _encoderShared;

    public AstmtResNetModule(ResNetOptions options, IReadOnlyDictionary<string, int> outputs, AstmtOptions astmt)
        : this(options, outputs, astmt, new ActiveTask()) { }

    private AstmtResNetModule(ResNetOptions options, IReadOnlyDictionary<string, int> outputs, AstmtOptions astmt, ActiveTask active)
        : base(nameof(AstmtResNetModule), [.. outputs.Keys], active, CreateDecoder(options, outputs, astmt, active), astmt)
    {
        var tasks = outputs.Keys.ToArray();
        var layers = new AstmtEncoderLayers(tasks, active, options.SqueezeExcitation, astmt.EncoderSqueeze, astmt.TaskBatchNorm, astmt.Adapters);
        _encoderShared = !(astmt.EncoderSqueeze && options.SqueezeExcitation) && !astmt.TaskBatchNorm && !astmt.Adapters;
        int inplanes = options.Scale(64);
        conv1 = Ops.Conv2d(3, inplanes, 7, stride: 2, padding: 3, bias: false);
        bn1 = Ops.BatchNorm2d(inplanes);
        maxpool = MaxPool2d(3, stride: 2, padding: 1);
        var (strides, dilations) = options.OutputStride == 8 ? (new[] { 1, 2, 1, 1 }, new[] { 1, 1, 2, 4 }) : (new[] { 1, 2, 2, 1 }, new[] { 1, 1, 1, 2 });
        var stages = new Sequential[4];
        for (int stage = 0; stage < 4; stage++)
        {
            int planes = options.Scale(64 << stage);
            var blocks = new List<(string, Module<Tensor, Tensor>)>();
            for (int b = 0; b < options.Blocks[stage]; b++)
            {
                // The code projects the shortcut also when the stage is dilated, even at stride 1 with equal channels.
                bool project = b == 0 && (strides[stage] != 1 || inplanes != planes * 4 || dilations[stage] > 1);
                blocks.Add(($"{b}", new AstmtBottleneck(inplanes, planes, b == 0 ? strides[stage] : 1, dilations[stage], project, layers)));
                inplanes = planes * 4;
            }
            stages[stage] = Sequential(blocks);
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3]);
        RegisterComponents();
        InitializeAsOfficial();
    }

    protected override bool EncoderShared => _encoderShared;

    protected override (Tensor LowLevel, Tensor HighLevel) Encode(Tensor image)
    {
        var x = maxpool.call(functional.relu(bn1.call(conv1.call(image))));
        var low = layer1.call(x);
        return (low, layer4.call(layer3.call(layer2.call(low))));
    }

    private static AstmtDecoder CreateDecoder(ResNetOptions options, IReadOnlyDictionary<string, int> outputs, AstmtOptions astmt, ActiveTask active)
    {
        var style = new TaskConvStyle([.. outputs.Keys], active, astmt.DecoderSqueeze, astmt.DecoderSqueeze, astmt.Adapters, MobileNet: false);
        int[] rates = options.OutputStride == 8 ? [12, 24, 36] : [6, 12, 18];
        return new AstmtDecoder(options.Scale(64) * 4, options.Scale(512) * 4, outputs, astmt.DecoderWidth, rates, style);
    }
}
