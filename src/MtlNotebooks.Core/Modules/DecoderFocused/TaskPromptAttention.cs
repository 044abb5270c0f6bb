using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>TaskPrompter's attention (Ye &amp; Xu, ICLR 2023, §3.2; the official <c>Attention</c>, fields kept): timm's
/// self-attention over the task prompts and the patch tokens together (<c>qkv</c>, <c>proj</c>), and the channel-wise
/// prompting: each prompt projected to one value per patch (<c>token_trans</c>, C → N) is matched with every channel, per
/// window of the grid, and fed back into the prompt (<c>token_trans1</c>, N → C). The official code also softmaxes the
/// channel scores and applies them to the channels, then discards that result; it is not computed here.</summary>
internal sealed class TaskPromptAttention : Module<Tensor, Tensor>
{
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly Linear token_trans;
    private readonly Linear token_trans1;
    private readonly int _heads;
    private readonly int _windows;
    private readonly (int Height, int Width) _grid;
    private readonly double _scale;

    /// <summary>The factor the scores are scaled by before their softmax, 1/√(C/heads).</summary>
    public double Scale => _scale;

    /// <param name="dim">Token width C.</param>
    /// <param name="heads">Heads of the joint self-attention.</param>
    /// <param name="grid">The patch grid; its N = h·w sizes <c>token_trans</c>, so the model runs at that grid only.</param>
    /// <param name="channelHeads">Windows of the channel prompting (a square: 1, 4, 16…), each √· along both axes.</param>
    public TaskPromptAttention(int dim, int heads, (int Height, int Width) grid, int channelHeads) : base("Attention")
    {
        _heads = heads;
        _grid = grid;
        _windows = (int)Math.Round(Math.Sqrt(channelHeads));
        _scale = Math.Pow(dim / heads, -0.5);
        int pixels = grid.Height * grid.Width;
        qkv = Linear(dim, 3 * dim);
        proj = Linear(dim, dim);
        token_trans = Linear(dim, pixels);
        token_trans1 = Linear(pixels, dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => throw new NotSupportedException("Call Attend(tokens, prompts).");

    /// <summary>The attention's update of the normed patch tokens [B, N, C] and prompts [B, P, C], and the raw affinities.</summary>
    public (Tensor Tokens, Tensor Prompts, PromptAffinities Affinities) Attend(Tensor tokens, Tensor prompts)
    {
        long b = tokens.shape[0], n = tokens.shape[1], c = tokens.shape[2], p = prompts.shape[1];
        var parts = qkv.call(cat([prompts, tokens], 1)).reshape(b, p + n, 3, _heads, c / _heads).permute(2, 0, 3, 1, 4);
        var spatial = matmul(parts[0], parts[1].transpose(-2, -1));
        Scalar scale = _scale;   // held through the native call
        var attended = matmul(spatial.mul(scale).softmax(-1), parts[2]).transpose(1, 2).reshape(b, p + n, c);
        var updated = proj.call(attended);

        var perPixel = token_trans.call(prompts);                                     // [B, P, N]
        var channel = matmul(Windows(perPixel), Windows(tokens.transpose(1, 2)).transpose(-2, -1))   // [B, windows, P, C]
            .reshape(b, _windows, _windows, p, c).permute(0, 3, 4, 1, 2);
        var promptUpdate = updated.narrow(1, 0, p).add(token_trans1.call(perPixel), HeldScalars.One);
        return (updated.narrow(1, p, n), promptUpdate, new PromptAffinities(spatial, channel));
    }

    /// <summary>[B, T, N] with N the row-major grid as [B, windows, T, pixels per window] (einops'
    /// <c>b t (nh h nw w) -> b (nh nw) t (h w)</c>).</summary>
    private Tensor Windows(Tensor perPixel)
    {
        long b = perPixel.shape[0], t = perPixel.shape[1];
        int h = _grid.Height / _windows, w = _grid.Width / _windows;
        return perPixel.reshape(b, t, _windows, h, _windows, w).permute(0, 2, 4, 1, 3, 5).reshape(b, _windows * _windows, t, h * w);
    }
}
