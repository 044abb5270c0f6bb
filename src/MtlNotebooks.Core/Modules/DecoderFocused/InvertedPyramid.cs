using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>InvPT's inverted pyramid (§3.2–3.3; the official <c>InvPT</c> module, fields kept): each task's preliminary
/// features joined with its preliminary prediction (<c>mix_proj</c>), three UP-Transformer stages that double the
/// resolution and halve the width, each stage's output normed over all tasks' channels together (<c>norm_mts</c>),
/// brought to the first stage's width (<c>redu_chan</c>) and to the last stage's resolution ×2, summed over the stages
/// (the multi-scale fusion) and projected per task (<c>mt_proj</c>). Like the official code it holds parameters its
/// forward never uses (<c>redu_chan.0</c>, <c>norm_mt</c>), so that state dicts are the same.</summary>
internal sealed class InvertedPyramid : Module<Tensor, Tensor>
{
    private readonly ModuleList<LayerNorm> norm_mts;
    private readonly ModuleList<ModuleList<Conv2d>> redu_chan;
    private readonly ModuleList<InvPTStage> invpt_stages;
    private readonly LayerNorm norm_mt;
    private readonly ModuleDict<Sequential> mt_proj;
    private readonly ModuleDict<Sequential> mix_proj;
    private readonly IReadOnlyList<string> _tasks;
    private readonly IReadOnlyList<int> _dims;
    private readonly IReadOnlyList<string> _projected;

    public InvertedPyramid(InvPTOptions options, IReadOnlyList<string> projected) : base("InvPT")
    {
        _tasks = options.AllTasks;
        _dims = options.StageDims;
        _projected = projected;
        int tasks = _tasks.Count, top = _dims[0];
        norm_mts = new ModuleList<LayerNorm>();
        redu_chan = new ModuleList<ModuleList<Conv2d>>();
        invpt_stages = new ModuleList<InvPTStage>();
        for (int i = 0; i < _dims.Count; i++)
        {
            invpt_stages.Add(new InvPTStage(i, tasks, i == 0 ? top : _dims[i - 1], _dims[i], options.Heads));
            norm_mts.Add(LayerNorm(tasks * _dims[i]));
            var reduce = new ModuleList<Conv2d>();
            for (int t = 0; t < tasks; t++) reduce.Add(Ops.Conv2d(_dims[i], top, 1));
            redu_chan.Add(reduce);
        }
        norm_mt = LayerNorm(tasks * _dims[^1]);
        mt_proj = new ModuleDict<Sequential>();
        foreach (var task in projected)
            mt_proj.Add(task, Sequential(Ops.Conv2d(top, top, 3, padding: 1), Ops.BatchNorm2d(top), ReLU()));
        mix_proj = new ModuleDict<Sequential>();
        foreach (var task in _tasks)
            mix_proj.Add(task, Sequential(Ops.Conv2d(options.EmbedDim + options.OutputChannels[task], top, 1)));
        RegisterComponents();
        TransformerInitialization.TruncatedNormalLinears(this);
        using var _ = no_grad();
        foreach (var task in projected) init.trunc_normal_(((Conv2d)mt_proj[task][0]).weight, std: 0.02);
    }

    public override Tensor forward(Tensor input) => throw new NotSupportedException("Call Decode(features, predictions, skips).");

    /// <summary>The projected task features [B, D, 8h, 8w] from the preliminary features and predictions at h × w;
    /// <paramref name="skips"/> are the backbone maps added at stage 1 (2h × 2w) and stage 2 (4h × 4w).</summary>
    public Dictionary<string, Tensor> Decode(IReadOnlyDictionary<string, Tensor> features, IReadOnlyDictionary<string, Tensor> predictions,
        IReadOnlyList<Tensor> skips)
    {
        using var scope = NewDisposeScope();
        using var message = new AttentionMessage();
        IReadOnlyList<Tensor> maps = [.. _tasks.Select(t => mix_proj[t].call(cat([features[t], predictions[t]], 1)))];
        long h = maps[0].shape[2], w = maps[0].shape[3], targetHeight = h * 8, targetWidth = w * 8;
        var sums = new Dictionary<string, Tensor>();
        for (int i = 0; i < _dims.Count; i++)
        {
            maps = invpt_stages[i].Run(maps, i == 0 ? null : skips[i - 1], message);
            var joined = TokenMaps.ToMap(norm_mts[i].call(cat([.. maps.Select(TokenMaps.ToTokens)], 2)), maps[0].shape[2], maps[0].shape[3]);
            for (int t = 0; t < _tasks.Count; t++)
            {
                var task = joined[.., (t * _dims[i])..((t + 1) * _dims[i]), .., ..];
                if (i > 0) task = redu_chan[i][t].call(task);
                task = functional.interpolate(task, [targetHeight, targetWidth], mode: InterpolationMode.Bilinear, align_corners: false);
                sums[_tasks[t]] = sums.TryGetValue(_tasks[t], out var sum) ? sum.add(task, HeldScalars.One) : task;
            }
        }
        var result = new Dictionary<string, Tensor>();
        foreach (var task in _projected)
            result[task] = mt_proj[task].call(sums[task]).MoveToOuterDisposeScope();
        return result;
    }
}
