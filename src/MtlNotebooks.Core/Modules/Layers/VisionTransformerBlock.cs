using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Layers;

/// <summary>One pre-norm transformer block of ViT (Dosovitskiy et al. 2021) with timm's names: x + attn(norm1 x), then
/// + mlp(norm2 x), each branch under stochastic depth. LayerNorm ε is timm's ViT's 1e-6.</summary>
public sealed class VisionTransformerBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly MultiHeadSelfAttention attn;
    private readonly LayerNorm norm2;
    private readonly TransformerMlp mlp;
    private readonly DropPath drop_path;

    public VisionTransformerBlock(int dim, int heads, double mlpRatio = 4, bool qkvBias = true, double dropPath = 0, double eps = 1e-6)
        : base(nameof(VisionTransformerBlock))
    {
        norm1 = LayerNorm(dim, eps);
        attn = new MultiHeadSelfAttention(dim, heads, qkvBias);
        norm2 = LayerNorm(dim, eps);
        mlp = new TransformerMlp(dim, (int)(dim * mlpRatio));
        drop_path = new DropPath(dropPath);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.add(drop_path.call(attn.call(norm1.call(input))), HeldScalars.One);
        x = x.add(drop_path.call(mlp.call(norm2.call(x))), HeldScalars.One);
        return x.MoveToOuterDisposeScope();
    }
}
