using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Layers;

/// <summary>Multi-head self-attention over a token sequence [B, N, C] (Vaswani et al. 2017) as timm's ViT writes it:
/// one Linear <c>qkv</c> (C → 3C), softmax(q kᵀ / √(C/heads)) v per head, the heads concatenated, Linear <c>proj</c>.
/// The field names are timm's, so ImageNet files load by name.</summary>
public sealed class MultiHeadSelfAttention : Module<Tensor, Tensor>
{
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly int _heads;

    public MultiHeadSelfAttention(int dim, int heads, bool qkvBias = true) : base(nameof(MultiHeadSelfAttention))
    {
        if (heads < 1 || dim % heads != 0)
            throw new ArgumentException($"Self-attention splits its {dim} channels into {heads} heads, so the heads must divide the channels.", nameof(heads));
        _heads = heads;
        qkv = Linear(dim, 3 * dim, hasBias: qkvBias);
        proj = Linear(dim, dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long b = input.shape[0], n = input.shape[1], c = input.shape[2];
        // [B, N, 3, heads, C/heads] → [3, B, heads, N, C/heads]: channel c of q is head c / (C/heads), as timm splits it.
        var parts = qkv.call(input).reshape(b, n, 3, _heads, c / _heads).permute(2, 0, 3, 1, 4);
        var attended = functional.scaled_dot_product_attention(parts[0], parts[1], parts[2]);
        return proj.call(attended.transpose(1, 2).reshape(b, n, c)).MoveToOuterDisposeScope();
    }
}
