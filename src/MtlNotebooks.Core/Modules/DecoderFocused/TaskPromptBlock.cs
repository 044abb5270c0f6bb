using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>One TaskPrompter block (the official <c>Block</c>): a pre-norm ViT block whose norms and MLP the patch tokens
/// and the task prompts share, the attention (<see cref="TaskPromptAttention"/>) joint over both. Field names are timm's, so
/// an ImageNet ViT file initialises every weight but the prompting ones.</summary>
internal sealed class TaskPromptBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly TaskPromptAttention attn;
    private readonly LayerNorm norm2;
    private readonly TransformerMlp mlp;
    private readonly DropPath drop_path;

    public TaskPromptBlock(TransformerLayout layout, int channelHeads, double dropPath) : base("Block")
    {
        norm1 = LayerNorm(layout.Width, 1e-6);
        attn = new TaskPromptAttention(layout.Width, layout.Heads, layout.Grid, channelHeads);
        norm2 = LayerNorm(layout.Width, 1e-6);
        mlp = new TransformerMlp(layout.Width, (int)(layout.Width * layout.MlpRatio));
        drop_path = new DropPath(dropPath);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => throw new NotSupportedException("Call Run(tokens, prompts).");

    /// <summary>The factor its attention scales the scores by before their softmax.</summary>
    public double AttentionScale => attn.Scale;

    /// <summary>The block's output tokens [B, N, C] and prompts [B, P, C], and its attention's raw affinities.</summary>
    public (Tensor Tokens, Tensor Prompts, PromptAffinities Affinities) Run(Tensor tokens, Tensor prompts)
    {
        var (tokenUpdate, promptUpdate, affinities) = attn.Attend(norm1.call(tokens), norm1.call(prompts));
        var x = tokens.add(drop_path.call(tokenUpdate), HeldScalars.One);
        x = x.add(drop_path.call(mlp.call(norm2.call(x))), HeldScalars.One);
        var p = prompts.add(drop_path.call(promptUpdate), HeldScalars.One);
        p = p.add(drop_path.call(mlp.call(norm2.call(p))), HeldScalars.One);
        return (x, p, affinities);
    }
}
