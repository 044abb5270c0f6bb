using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Layers;

/// <summary>A transformer block's feed-forward part as timm names it: Linear <c>fc1</c> (C → hidden), exact (erf) GELU,
/// Linear <c>fc2</c> (hidden → C).</summary>
public sealed class TransformerMlp : Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;

    public TransformerMlp(int channels, int hidden) : base(nameof(TransformerMlp))
    {
        fc1 = Linear(channels, hidden);
        fc2 = Linear(hidden, channels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var hidden = fc1.call(input);
        using var activated = functional.gelu(hidden);
        return fc2.call(activated);
    }
}
