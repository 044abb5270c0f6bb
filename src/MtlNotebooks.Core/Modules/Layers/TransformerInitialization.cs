using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Layers;

/// <summary>The initialisation timm's ViT and InvPT's decoder give their Linear layers.</summary>
internal static class TransformerInitialization
{
    /// <summary>Every Linear inside <paramref name="module"/>: weights truncated normal (std 0.02), biases zero.</summary>
    public static void TruncatedNormalLinears(Module module)
    {
        using var _ = no_grad();
        foreach (var linear in module.modules().OfType<Linear>())
        {
            init.trunc_normal_(linear.weight, std: 0.02);
            if (linear.bias is { } bias) init.zeros_(bias);
        }
    }
}
