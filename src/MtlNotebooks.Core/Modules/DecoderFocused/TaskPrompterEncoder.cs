using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>TaskPrompter's encoder and task-feature decoder (the official <c>TaskPrompter</c> module, fields kept: it is the
/// <c>backbone</c> of the official wrapper). A ViT (timm's names, no class token, the position embedding keeps its slot)
/// carries one learned prompt per task through every block. After three tapped blocks and the normed output, every task's
/// features are read from its prompt's raw affinities (§3.3): the spatial ones weight each head's channels per patch, the
/// channel ones weight every channel per window, each plus the tokens, projected to E (<c>fea_decode_spa</c>,
/// <c>fea_decode_chan</c>), joined and fused to F (<c>fea_fuse</c>); with cross-task reweighting each task's features become a
/// mix of all tasks' weighted by its prompt's affinity to theirs (<c>ctr_attn_conv</c>). The four levels are summed and upsampled ×4.</summary>
internal sealed class TaskPrompterEncoder : Module<Tensor, Tensor>
{
    private readonly Parameter pos_embed;
    private readonly Parameter task_prompts;
    private readonly PatchEmbedding patch_embed;
    private readonly ModuleList<TaskPromptBlock> blocks;
    private readonly LayerNorm norm;
    private readonly ModuleList<ModuleDict<Sequential>> fea_fuse;
    private readonly ModuleList<ModuleDict<Sequential>>? ctr_attn_conv;
    private readonly ModuleList<ModuleDict<Sequential>> fea_decode_spa;
    private readonly ModuleList<ModuleDict<Sequential>> fea_decode_chan;
    private readonly TaskPrompterOptions _options;

    public TaskPrompterEncoder(TaskPrompterOptions options) : base("TaskPrompter")
    {
        _options = options;
        var layout = options.Layout;
        var (height, width) = layout.Grid;
        int c = layout.Width, e = options.EmbedDim, f = options.FinalEmbedDim;
        pos_embed = Parameter(zeros(1, height * width + 1, c));   // slot 0: the class token's, kept from the ImageNet file, unused
        task_prompts = Parameter(ones(options.AllTasks.Count, c));
        patch_embed = new PatchEmbedding(layout.PatchSize, c);
        blocks = new ModuleList<TaskPromptBlock>();
        for (int i = 0; i < layout.Depth; i++)
            blocks.Add(new TaskPromptBlock(layout, options.ChannelHeads, layout.Depth == 1 ? 0 : layout.DropPathRate * i / (layout.Depth - 1)));
        norm = LayerNorm(c, 1e-6);
        (fea_fuse, fea_decode_spa, fea_decode_chan) = (new(), new(), new());
        if (options.CrossTaskReweighting) ctr_attn_conv = new();
        for (int level = 0; level < 4; level++)
        {
            fea_fuse.Add(PerTask(() => Sequential(Ops.Conv2d(2 * e, f, 1), Ops.Conv2d(f, f, 3, padding: 1), Ops.BatchNorm2d(f), GELU(), Ops.Conv2d(f, f, 1))));
            ctr_attn_conv?.Add(PerTask(() => Sequential(Ops.Conv2d(layout.Heads, layout.Heads, 1), GELU(), Ops.Conv2d(layout.Heads, 1, 1))));
            fea_decode_spa.Add(PerTask(() => Sequential(Ops.Conv2d(c, e, 1))));
            fea_decode_chan.Add(PerTask(() => Sequential(Ops.Conv2d(c, e, 1))));
        }
        RegisterComponents();
        InitializeAsOfficial();
    }

    public override Tensor forward(Tensor input) => throw new NotSupportedException("Call Encode(image).");

    /// <summary>Every prompted task's features [B, F, H/4, W/4] for an image [B, 3, H, W] of the layout's size.</summary>
    public Dictionary<string, Tensor> Encode(Tensor image)
    {
        var layout = _options.Layout;
        using var scope = NewDisposeScope();
        var (height, width) = layout.Grid;
        var x = Embed(image);
        var prompts = task_prompts.unsqueeze(0).expand(image.shape[0], -1, -1);
        var sums = new Dictionary<string, Tensor>();
        PromptAffinities? last = null;
        for (int i = 0; i < blocks.Count; i++)
        {
            (x, prompts, last) = blocks[i].Run(x, prompts);
            int level = IndexOf(layout.TappedBlocks, i + 1);
            if (level >= 0) Accumulate(sums, TaskFeatures(x, last, level));
        }
        Accumulate(sums, TaskFeatures(norm.call(x), last!, 3));   // the normed output reads the last block's affinities
        var result = sums.ToDictionary(s => s.Key, s =>
            functional.interpolate(s.Value, [4L * height, 4L * width], mode: InterpolationMode.Bilinear, align_corners: false).MoveToOuterDisposeScope());
        return result;
    }

    /// <summary>How each task's prompt attends to the prompts in every block: the joint attention's scores among the prompts
    /// only, scaled as the attention scales them, softmaxed over the prompts, averaged over heads and images: [depth, T, T], rows
    /// the attending task. What cross-task reweighting reads (raw) to mix the tasks' features.</summary>
    public Tensor PromptAttention(Tensor image)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int prompts = _options.AllTasks.Count;
        Scalar scale = blocks[0].AttentionScale;
        var x = Embed(image);
        var p = task_prompts.unsqueeze(0).expand(image.shape[0], -1, -1);
        var perBlock = new List<Tensor>();
        for (int i = 0; i < blocks.Count; i++)
        {
            (x, p, var affinities) = blocks[i].Run(x, p);
            perBlock.Add(affinities.Spatial[.., .., ..prompts, ..prompts].mul(scale).softmax(-1).mean([0, 1]));
        }
        return stack(perBlock).MoveToOuterDisposeScope();
    }

    /// <summary>The patch tokens of an image of the layout's size, position embedding added (its class slot unused).</summary>
    private Tensor Embed(Tensor image) =>
        TokenMaps.ToTokens(patch_embed.call(CheckSize(image))).add(pos_embed[.., 1.., ..], HeldScalars.One);

    /// <summary>The official <c>cal_task_feature</c>: every task's features at one level from the tokens and the raw affinities.</summary>
    private Dictionary<string, Tensor> TaskFeatures(Tensor tokens, PromptAffinities affinities, int level)
    {
        var layout = _options.Layout;
        var (height, width) = layout.Grid;
        var map = TokenMaps.ToMap(tokens, height, width);
        long b = map.shape[0], c = map.shape[1];
        int prompts = _options.AllTasks.Count, heads = layout.Heads, windows = (int)Math.Round(Math.Sqrt(_options.ChannelHeads));
        var features = new Dictionary<string, Tensor>();
        for (int k = 0; k < prompts; k++)
        {
            var task = _options.AllTasks[k];
            // Spatial: head h's affinity of prompt k to each patch weights that head's channels (C / heads of them).
            var perPatch = affinities.Spatial[.., .., k, prompts..].reshape(b, heads, 1, height, width);
            var spatial = map.reshape(b, heads, c / heads, height, width).mul(perPatch).reshape(b, c, height, width).add(map, HeldScalars.One);
            // Channel: prompt k's affinity to each channel, per window, weights that channel over the window.
            var perWindow = affinities.Channel[.., k].reshape(b, c, windows, 1, windows, 1);
            var channel = map.reshape(b, c, windows, height / windows, windows, width / windows).mul(perWindow)
                .reshape(b, c, height, width).add(map, HeldScalars.One);
            var joined = cat([fea_decode_spa[level][task].call(spatial), fea_decode_chan[level][task].call(channel)], 1);
            features[task] = fea_fuse[level][task].call(joined);
        }
        if (ctr_attn_conv is null) return features;
        // Cross-task reweighting: prompt k's raw affinity to every prompt, [B, heads, 1, T] → [B, 1, 1, T], mixes all tasks' features.
        var mixed = new Dictionary<string, Tensor>();
        for (int k = 0; k < prompts; k++)
        {
            var task = _options.AllTasks[k];
            var weights = ctr_attn_conv[level][task].call(affinities.Spatial[.., .., k..(k + 1), ..prompts]);
            mixed[task] = Enumerable.Range(0, prompts).Select(j => weights[.., .., .., j..(j + 1)].mul(features[_options.AllTasks[j]]))
                .Aggregate((sum, term) => sum.add(term, HeldScalars.One));
        }
        return mixed;
    }

    private Tensor CheckSize(Tensor image)
    {
        var layout = _options.Layout;
        if (image.dim() != 4 || image.shape[2] != layout.ImageHeight || image.shape[3] != layout.ImageWidth)
            throw new ArgumentException($"TaskPrompter is built for {layout.ImageHeight}×{layout.ImageWidth} images (its channel prompting has one " +
                                        $"weight per {layout.PatchSize}-pixel patch of that grid); got [{string.Join(", ", image.shape)}]. " +
                                        "Build it for this size (the ViT's imageHeight and imageWidth) or resize the images.", nameof(image));
        return image;
    }

    private static void Accumulate(Dictionary<string, Tensor> sums, Dictionary<string, Tensor> level)
    {
        foreach (var (task, feature) in level)
            sums[task] = sums.TryGetValue(task, out var sum) ? sum.add(feature, HeldScalars.One) : feature;
    }

    private static int IndexOf(IReadOnlyList<int> list, int value)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }

    private ModuleDict<Sequential> PerTask(Func<Sequential> make)
    {
        var dict = new ModuleDict<Sequential>();
        foreach (var task in _options.AllTasks) dict.Add(task, make());
        return dict;
    }

    /// <summary>timm's ViT initialisation over the whole module (every Linear, the prompting ones too: truncated normal, std
    /// 0.02, zero bias), the position embedding truncated normal (0.02), the prompts truncated normal with mean 1 and std 1 cut
    /// at −2 and 2 (the official <c>trunc_normal_(task_prompts, mean=1., std=1.)</c>); convolutions PyTorch's default.</summary>
    private void InitializeAsOfficial()
    {
        using var _ = no_grad();
        init.trunc_normal_(pos_embed, std: 0.02);
        init.trunc_normal_(task_prompts, mean: 1, std: 1, a: -2, b: 2);
        TransformerInitialization.TruncatedNormalLinears(this);
    }
}
