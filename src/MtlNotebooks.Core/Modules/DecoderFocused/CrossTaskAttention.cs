using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>InvPT's attention (ECCV 2022, §3.3; the official <c>SelfAttention</c>, its field names kept): all tasks'
/// tokens form one sequence, so every task's queries attend to every task's keys. Queries come from a depthwise 3×3
/// stride-2 convolution with batch norm per task, keys and values from an average pool (kernel = stride = the stage's
/// key stride, no parameters), then Linear projections. The score is q kᵀ / √d with d the whole width (the code's scale,
/// not the head's). From the second stage on, the previous stage's scores, upsampled ×2 over the query grid, are fused
/// with the new ones by a 1×1 convolution over the heads (<c>fuse_attn</c>): the attention message passing.</summary>
internal sealed class CrossTaskAttention : Module<Tensor, Tensor>
{
    private readonly ModuleList<Sequential> conv_proj_q;
    private readonly Linear proj_q, proj_k, proj_v, proj;
    private readonly Conv2d fuse_attn;
    private readonly int _tasks, _heads, _keyStride;
    private readonly double _scale;

    public CrossTaskAttention(int tasks, int dim, int heads, int keyStride) : base("SelfAttention")
    {
        (_tasks, _heads, _keyStride, _scale) = (tasks, heads, keyStride, Math.Pow(dim, -0.5));
        conv_proj_q = new ModuleList<Sequential>();
        for (int t = 0; t < tasks; t++)
            conv_proj_q.Add(Sequential(("conv", Ops.Conv2d(dim, dim, 3, stride: 2, padding: 1, bias: false, groups: dim)), ("bn", Ops.BatchNorm2d(dim))));
        proj_q = Linear(dim, dim);
        proj_k = Linear(dim, dim);
        proj_v = Linear(dim, dim);
        proj = Linear(dim, dim);
        fuse_attn = Ops.Conv2d(2 * heads, heads, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => throw new NotSupportedException("Call Attend(tokens, height, width, message).");

    /// <summary>Tokens [B, T·h·w, d] (tasks one after another, each row-major) to [B, T·h'·w', d] on the query grid
    /// h' × w' = ⌈h/2⌉ × ⌈w/2⌉, which it returns too; <paramref name="message"/> carries the scores from the previous stage in
    /// and this stage's out.</summary>
    public (Tensor Tokens, long QueryHeight, long QueryWidth) Attend(Tensor tokens, long height, long width, AttentionMessage message)
    {
        using var scope = NewDisposeScope();
        long b = tokens.shape[0], d = tokens.shape[2];
        var q = new List<Tensor>(_tasks);
        var k = new List<Tensor>(_tasks);
        long qh = 0, qw = 0;
        for (int t = 0; t < _tasks; t++)
        {
            var map = TokenMaps.TaskMap(tokens, t, height, width);
            var queries = conv_proj_q[t].call(map);
            (qh, qw) = (queries.shape[2], queries.shape[3]);
            q.Add(TokenMaps.ToTokens(queries));
            k.Add(TokenMaps.ToTokens(functional.avg_pool2d(map, _keyStride, _keyStride, 0, ceil_mode: true)));
        }
        var keys = cat(k, 1);
        var query = Heads(proj_q.call(cat(q, 1)));
        var key = Heads(proj_k.call(keys));
        var value = Heads(proj_v.call(keys));
        Scalar scale = _scale;   // held through the native call
        var score = matmul(query, key.transpose(-2, -1)).mul_(scale);
        if (message.Score is { } previous)
        {
            // The previous stage's query grid, upsampled to this one's: ×2 in the official sizes (its scale_factor 2).
            var (sh, sw) = message.Queries;
            long keyCount = previous.shape[3];
            var upsampled = new List<Tensor>(_tasks);
            for (int t = 0; t < _tasks; t++)
            {
                var rows = previous.narrow(2, t * sh * sw, sh * sw)
                    .reshape(b, _heads, sh, sw, keyCount).permute(0, 1, 4, 2, 3).reshape(b * _heads, keyCount, sh, sw);
                var up = functional.interpolate(rows, [qh, qw], mode: InterpolationMode.Bilinear, align_corners: false);
                upsampled.Add(up.reshape(b, _heads, keyCount, qh * qw).permute(0, 1, 3, 2));
            }
            score = fuse_attn.call(cat([score, cat(upsampled, 2)], 1));
        }
        message.Replace(score, qh, qw);
        var attended = matmul(functional.softmax(score, -1), value);
        return (proj.call(attended.permute(0, 2, 1, 3).reshape(b, -1, d)).MoveToOuterDisposeScope(), qh, qw);
    }

    private Tensor Heads(Tensor x) => x.reshape(x.shape[0], x.shape[1], _heads, -1).permute(0, 2, 1, 3);
}
