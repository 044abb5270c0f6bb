using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>ASTMT on an SE-MobileNet-V2 encoder (appendix), field for field as the official <c>SEMobileNetV2</c>:
/// <c>features.0</c> (3x3 conv-BN-ReLU6, stride 2) and the inverted residuals of MobileNet-V2's Table 2 with channels
/// ⌊c·w⌋, an SE block (reduction 4) in each, no final 1280 conv; dilation replaces the last stride (output stride 16) or
/// the last two (8). The stride-4 map after <c>features.3</c> feeds the grouped <see cref="AstmtDecoder"/>. Batch norm is
/// per task only together with task modulation, as in the code (encoder with SE, decoder with decoder SE).</summary>
public sealed class AstmtMobileNetModule : AstmtModule, MtlNotebooks.Weights.IReferenceKeys
{
    private static readonly Lazy<MtlNotebooks.Weights.KeyMap> KeyNames =
        new(() => MtlNotebooks.Weights.KeyMap.Load("astmt-mobilenet", "the ASTMT code's SE-MobileNet-V2 DeepLab"));

    /// <summary>The code's names: ours, and its second registration of the blocks (features_low, features_high).</summary>
    public MtlNotebooks.Weights.KeyMap ReferenceKeys => KeyNames.Value;

    private readonly ModuleList<Module<Tensor, Tensor>> features;
    private readonly bool _encoderShared;

    public AstmtMobileNetModule(MobileNetV2Options options, IReadOnlyDictionary<string, int> outputs, AstmtOptions astmt)
        : this(options, outputs, astmt, new ActiveTask()) { }

    private AstmtMobileNetModule(MobileNetV2Options options, IReadOnlyDictionary<string, int> outputs, AstmtOptions astmt, ActiveTask active)
        : base(nameof(AstmtMobileNetModule), [.. outputs.Keys], active, CreateDecoder(options, outputs, astmt, active), astmt)
    {
        var tasks = outputs.Keys.ToArray();
        bool taskNorm = astmt.TaskBatchNorm && astmt.EncoderSqueeze;
        var layers = new AstmtEncoderLayers(tasks, active, SqueezeExcitation: true, astmt.EncoderSqueeze, taskNorm, Adapters: false, Reduction: 4);
        _encoderShared = !astmt.EncoderSqueeze;
        var (strides, dilations) = Schedule(OutputStride);
        features = new ModuleList<Module<Tensor, Tensor>>();
        int input = Channels(32, options);
        features.Add(new StemConv(input));
        for (int s = 0; s < MobileNetV2Options.Settings.Count; s++)
        {
            var (t, c, n, _) = MobileNetV2Options.Settings[s];
            int output = Channels(c, options);
            for (int i = 0; i < n; i++)
            {
                features.Add(new AstmtInvertedResidual(input, output, i == 0 ? strides[s] : 1, t, dilations[s], layers));
                input = output;
            }
        }
        RegisterComponents();
        InitializeAsOfficialMobileNet();
    }

    protected override bool EncoderShared => _encoderShared;

    protected override (Tensor LowLevel, Tensor HighLevel) Encode(Tensor image)
    {
        var x = image;
        Tensor? low = null;
        for (int i = 0; i < features.Count; i++)
        {
            x = features[i].call(x);
            if (i == 3) low = x;
        }
        return (low!, x);
    }

    /// <summary>The code's default output stride for the MobileNet variant (its other choice, 8, doubles the ASPP rates).</summary>
    public const int OutputStride = 16;

    /// <summary>The code's ⌊c·w⌋ (not torchvision's rounding to multiples of 8).</summary>
    internal static int Channels(int c, MobileNetV2Options options) => (int)(c * options.WidthMultiplier);

    /// <summary>Strides and dilations of the seven block sequences for output stride 16 or 8.</summary>
    private static (int[] Strides, int[] Dilations) Schedule(int outputStride) => outputStride == 8
        ? ([1, 2, 2, 1, 1, 1, 1], [1, 1, 1, 2, 2, 4, 4])
        : ([1, 2, 2, 2, 1, 1, 1], [1, 1, 1, 1, 1, 2, 2]);

    private static AstmtDecoder CreateDecoder(MobileNetV2Options options, IReadOnlyDictionary<string, int> outputs, AstmtOptions astmt, ActiveTask active)
    {
        var style = new TaskConvStyle([.. outputs.Keys], active, astmt.DecoderSqueeze, astmt.TaskBatchNorm && astmt.DecoderSqueeze, Adapters: false, MobileNet: true);
        int[] rates = OutputStride == 8 ? [12, 24, 36] : [6, 12, 18];
        return new AstmtDecoder(Channels(24, options), Channels(320, options), outputs, astmt.DecoderWidth, rates, style);
    }

    /// <summary>The MobileNet code's initialisation: convs N(0, √(2 / (k²·out))), batch norms 1 and 0, linear layers N(0, 0.01)
    /// with zero bias.</summary>
    private void InitializeAsOfficialMobileNet()
    {
        using var _ = no_grad();
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    var w = conv.weight!;
                    init.normal_(w, 0, Math.Sqrt(2.0 / (w.shape[2] * w.shape[3] * w.shape[0])));
                    if (conv.bias is { } b) b.zero_();
                    break;
                case ScalarSafeBatchNorm2d bn:
                    init.ones_(bn.weight!);
                    init.zeros_(bn.bias!);
                    break;
                case Linear linear:
                    init.normal_(linear.weight!, 0, 0.01);
                    init.zeros_(linear.bias!);
                    break;
            }
        }
    }

    /// <summary>The official <c>ConvBNMTL</c>: field <c>conv</c> = 3x3 conv (stride 2) - BN - ReLU6.</summary>
    private sealed class StemConv : Module<Tensor, Tensor>
    {
        private readonly Sequential conv;

        public StemConv(int channels) : base(nameof(StemConv))
        {
            conv = Sequential(Ops.Conv2d(3, channels, 3, stride: 2, padding: 1, bias: false), Ops.BatchNorm2d(channels), ReLU6());
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => conv.call(input);
    }
}
