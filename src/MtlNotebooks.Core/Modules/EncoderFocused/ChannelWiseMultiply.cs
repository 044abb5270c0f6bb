using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>A learnable per-channel scale: one weight of a cross-stitch unit (survey §2.2.1). Field <c>param</c> as the survey code.</summary>
public sealed class ChannelWiseMultiply : nn.Module<Tensor, Tensor>
{
    private readonly Parameter param;

    public ChannelWiseMultiply(int channels, double value) : base(nameof(ChannelWiseMultiply))
    {
        using Scalar initial = value;
        param = new Parameter(full(channels, initial, ScalarType.Float32));
        RegisterComponents();
    }

    public Parameter Weight => param;

    public override Tensor forward(Tensor x) => param.view(1, -1, 1, 1) * x;
}
