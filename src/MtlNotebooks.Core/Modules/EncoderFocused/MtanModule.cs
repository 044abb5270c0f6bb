using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Modules.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>MTAN (Liu et al. 2019; survey §2.2.3) as the survey code builds it: one shared staged backbone; per stage and task
/// an attention mask computed from the features before the stage's last block (from stage 2 on, concatenated with the task's
/// attended features of the stage before) and multiplied onto the last block's output; a shared refinement bottleneck
/// (and a 2x2 max-pool where the next stage halves the resolution) between stages; one head per task on its attended
/// features. Keys equal the survey code's (<c>attention_{k}.{task}</c>, <c>refine_{k}.0</c>).</summary>
public sealed class MtanModule : MultiTaskNet
{
    private readonly Backbone backbone;
    private readonly ModuleDict<nn.Module<FeatureMaps, Tensor>> heads;
    // Held in arrays and registered by name (attention_1…, refine_1…), not as fields.
    private readonly ModuleDict<Sequential>[] _attention;
    private readonly Sequential[] _refine;
    private readonly bool[] _downsample;
    private readonly BackboneStages _stages;
    private readonly bool _multiScale;

    public MtanModule(Backbone backbone, IReadOnlyDictionary<string, nn.Module<FeatureMaps, Tensor>> heads) : base(nameof(MtanModule), heads.Keys.ToArray())
    {
        this.backbone = backbone;
        _stages = (backbone as IStagedBackboneModule ?? throw new ArgumentException($"MTAN: backbone {backbone.GetName()} is not staged.")).Stages;
        var levels = _stages.Levels.Levels;
        _multiScale = backbone.Features.Levels.Count == levels.Count;
        this.heads = new ModuleDict<nn.Module<FeatureMaps, Tensor>>();
        foreach (var task in Tasks) this.heads.Add(task, heads[task]);
        register_module("backbone", backbone);
        register_module("heads", this.heads);
        _attention = new ModuleDict<Sequential>[levels.Count];
        for (int s = 0; s < levels.Count; s++)
        {
            int channels = levels[s].Channels;
            int input = BackboneStages.InputChannels(_stages.Blocks[s][^1]) + (s == 0 ? 0 : channels);
            _attention[s] = new ModuleDict<Sequential>();
            foreach (var task in Tasks) _attention[s].Add(task, MtanAttention.Create(input, channels / 4, channels));
            register_module($"attention_{s + 1}", _attention[s]);
        }
        _refine = new Sequential[levels.Count - 1];
        _downsample = new bool[levels.Count - 1];
        for (int s = 0; s + 1 < levels.Count; s++)
        {
            _refine[s] = Sequential(new ResNetBottleneck(levels[s].Channels, levels[s + 1].Channels / 4, project: true));
            _downsample[s] = levels[s + 1].Stride > levels[s].Stride;
            register_module($"refine_{s + 1}", _refine[s]);
        }
    }

    /// <summary>The masks of the last forward pass, per stage and task (for inspection: every value lies in (0, 1)).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, Tensor>> Masks(Tensor image) => Run(image).Masks;

    public override TaskOutputs forward(Tensor image)
    {
        var attended = Run(image).Attended;
        return TaskOutputs.From(Tasks, t =>
        {
            var maps = _multiScale ? attended.Select(a => a[t]).ToArray() : [attended[^1][t]];
            return Resize.To(heads[t].call(new FeatureMaps(maps)), image.shape[2], image.shape[3]);
        });
    }

    private (List<Dictionary<string, Tensor>> Masks, List<Dictionary<string, Tensor>> Attended) Run(Tensor image)
    {
        var masks = new List<Dictionary<string, Tensor>>();
        var attended = new List<Dictionary<string, Tensor>>();
        Dictionary<string, Tensor>? carried = null;
        var x = _stages.Stem(image);
        for (int s = 0; s < _stages.Blocks.Count; s++)
        {
            var blocks = _stages.Blocks[s];
            var before = blocks.Take(blocks.Count - 1).Aggregate(x, (h, b) => b.call(h));
            x = blocks[^1].call(before);
            var mask = Tasks.ToDictionary(t => t, t => _attention[s][t].call(carried is null ? before : cat([before, carried[t]], 1)));
            var applied = Tasks.ToDictionary(t => t, t => mask[t] * x);
            masks.Add(mask);
            attended.Add(applied);
            if (s < _refine.Length)
                carried = Tasks.ToDictionary(t => t, t =>
                {
                    var refined = _refine[s].call(applied[t]);
                    // ceil: the next stage's stride-2 conv (padding 1) gives ⌈n/2⌉; equal to the survey code's pool for even sizes.
                    return _downsample[s] ? functional.max_pool2d(refined, 2, 2, ceil_mode: true) : refined;
                });
        }
        return (masks, attended);
    }
}
