using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>InvPT's UP-Transformer block (§3.2; the official <c>InvPTBlock</c>): every task's map flattened and joined
/// into one token sequence, x + attention(norm1 x) with the attention's half-resolution output upsampled back
/// bilinearly per task, then x + mlp(norm2 x); split back into the tasks' maps. LayerNorm ε is PyTorch's 1e-5.</summary>
internal sealed class UpTransformerBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly LayerNorm norm2;
    private readonly TransformerMlp mlp;
    private readonly CrossTaskAttention attn;

    public UpTransformerBlock(int tasks, int dim, int heads, int keyStride) : base("InvPTBlock")
    {
        norm1 = LayerNorm(dim);
        norm2 = LayerNorm(dim);
        mlp = new TransformerMlp(dim, 4 * dim);
        attn = new CrossTaskAttention(tasks, dim, heads, keyStride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => throw new NotSupportedException("Call Refine(maps, message).");

    /// <summary>The tasks' maps [B, d, h, w], refined; the attention scores go on through <paramref name="message"/>.</summary>
    public IReadOnlyList<Tensor> Refine(IReadOnlyList<Tensor> maps, AttentionMessage message)
    {
        using var scope = NewDisposeScope();
        long h = maps[0].shape[2], w = maps[0].shape[3];
        var x = cat([.. maps.Select(TokenMaps.ToTokens)], 1);
        var (attended, qh, qw) = attn.Attend(norm1.call(x), h, w, message);
        var upsampled = maps.Select((_, t) => TokenMaps.ToTokens(
            functional.interpolate(TokenMaps.TaskMap(attended, t, qh, qw), [h, w], mode: InterpolationMode.Bilinear, align_corners: false)));
        x = x.add(cat([.. upsampled], 1), HeldScalars.One);
        x = x.add(mlp.call(norm2.call(x)), HeldScalars.One);
        return [.. maps.Select((_, t) => TokenMaps.TaskMap(x, t, h, w).MoveToOuterDisposeScope())];
    }
}
