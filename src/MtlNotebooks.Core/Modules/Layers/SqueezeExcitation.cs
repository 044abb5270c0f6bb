using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Layers;

/// <summary>Squeeze-and-excitation (Hu et al. 2018): global average pool → Linear C→C/r → ReLU → Linear → sigmoid,
/// a per-channel gate multiplied onto the input. Used by MTI-Net's FPM (r = 16) and by ASTMT.</summary>
public sealed class SqueezeExcitation : Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;

    public SqueezeExcitation(int channels, int reduction = 16) : base(nameof(SqueezeExcitation))
    {
        int hidden = Math.Max(1, channels / reduction);
        fc1 = Linear(channels, hidden);
        fc2 = Linear(hidden, channels);
        RegisterComponents();
    }

    /// <summary>The gate [B, C, 1, 1] computed from <paramref name="input"/>.</summary>
    public Tensor Gate(Tensor input)
    {
        var squeezed = input.mean([2, 3]);
        return functional.sigmoid(fc2.call(functional.relu(fc1.call(squeezed)))).unsqueeze(-1).unsqueeze(-1);
    }

    public override Tensor forward(Tensor input) => input * Gate(input);
}
