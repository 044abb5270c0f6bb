using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Modules.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>One backbone copy ("tower") and one head per task whose stage outputs a fusion unit mixes after every stage: the
/// common part of cross-stitch networks and NDDR-CNN (survey §2.2.1–2.2.2). Field names equal the survey code's
/// (<c>backbone.{task}</c>, <c>heads.{task}</c>), so its state dicts load by name.</summary>
public abstract class TaskTowersModule : MultiTaskNet
{
    private readonly ModuleDict<Backbone> backbone;
    private readonly ModuleDict<nn.Module<FeatureMaps, Tensor>> heads;
    private readonly Dictionary<string, BackboneStages> _stages;
    private readonly bool _multiScale;
    private readonly double _fusionScale;

    protected TaskTowersModule(string name, IReadOnlyDictionary<string, (Backbone Backbone, nn.Module<FeatureMaps, Tensor> Head)> towers,
        double fusionLearningRateScale) : base(name, towers.Keys.ToArray())
    {
        backbone = new ModuleDict<Backbone>();
        heads = new ModuleDict<nn.Module<FeatureMaps, Tensor>>();
        _stages = [];
        foreach (var task in Tasks)
        {
            var tower = towers[task].Backbone as IStagedBackboneModule
                        ?? throw new ArgumentException($"{name}: the backbone of task '{task}' ({towers[task].Backbone.GetName()}) is not staged.");
            backbone.Add(task, towers[task].Backbone);
            heads.Add(task, towers[task].Head);
            _stages[task] = tower.Stages;
        }
        // Registered by name here: a derived module's RegisterComponents does not see a base class's private fields.
        register_module("backbone", backbone);
        register_module("heads", heads);
        Stages = _stages[Tasks[0]];
        _multiScale = towers[Tasks[0]].Backbone.Features.Levels.Count == Stages.Blocks.Count;
        _fusionScale = fusionLearningRateScale;
    }

    /// <summary>The first tower's stages (every tower has the same shape).</summary>
    protected BackboneStages Stages { get; }

    /// <summary>Stage <paramref name="stage"/> of every task's tower on that task's features.</summary>
    protected Dictionary<string, Tensor> RunStage(int stage, IReadOnlyDictionary<string, Tensor> x, bool withStem = true) =>
        Tasks.ToDictionary(t => t, t => _stages[t].Run(stage, x[t], withStem));

    /// <summary>The stem of every task's tower.</summary>
    protected Dictionary<string, Tensor> RunStem(Tensor image) => Tasks.ToDictionary(t => t, t => _stages[t].Stem(image));

    /// <summary>Each task's head on its fused stage outputs (all levels, or the last when the backbone emits the last only).</summary>
    protected TaskOutputs Heads(Tensor image, IReadOnlyList<Dictionary<string, Tensor>> stageOutputs) =>
        TaskOutputs.From(Tasks, t =>
        {
            var maps = _multiScale ? stageOutputs.Select(s => s[t]).ToArray() : [stageOutputs[^1][t]];
            return Resize.To(heads[t].call(new FeatureMaps(maps)), image.shape[2], image.shape[3]);
        });

    /// <summary>The fusion units' parameters, trained at <see cref="ParameterGroups"/>' larger rate.</summary>
    protected abstract IReadOnlyList<Parameter> FusionParameters();

    /// <summary>Parameters of the last fusion unit: each of its outputs feeds one task only.</summary>
    protected abstract IReadOnlyList<Parameter> LastFusionParameters();

    /// <summary>The fusion units at <c>fusionLearningRateScale</c>× the rate (the survey code: 100×), the rest at 1×.</summary>
    public override IReadOnlyList<ParameterGroup> ParameterGroups()
    {
        var fusion = FusionParameters();
        var handles = fusion.Select(p => p.Handle).ToHashSet();
        return [new("network", parameters().Where(p => !handles.Contains(p.Handle)).ToArray()), new("fusion", fusion, _fusionScale)];
    }

    /// <summary>Initialises every task's tower and head from a trained single-task baseline (<see cref="Architectures.SingleTask"/>:
    /// keys <c>networks.{task}.backbone.*</c> and <c>networks.{task}.head.*</c>), as the survey code starts cross-stitch and
    /// NDDR-CNN from its single-task models. The fusion units keep their initialisation.</summary>
    public void InitialiseFromSingleTask(MultiTaskNet singleTask)
    {
        var state = singleTask.state_dict();
        InitialiseFromSingleTask(Tasks.ToDictionary(t => t, t => (IReadOnlyDictionary<string, Tensor>)state
            .Where(e => e.Key.StartsWith($"networks.{t}.", StringComparison.Ordinal))
            .ToDictionary(e => e.Key[$"networks.{t}.".Length..], e => e.Value)));
    }

    /// <summary>Initialises the towers and heads from one state dict per task with keys <c>backbone.*</c> and <c>head.*</c>
    /// (or <c>decoder.*</c>, the survey code's <c>SingleTaskModel</c>). Every tower and head tensor must be given.</summary>
    public void InitialiseFromSingleTask(IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> perTask)
    {
        var ours = state_dict();
        foreach (var task in Tasks)
        {
            if (!perTask.TryGetValue(task, out var given))
                throw new ArgumentException($"{GetName()}: no single-task state dict for task '{task}'; given: {string.Join(", ", perTask.Keys)}.");
            var mapped = given.Select(e => (Key: Target(task, e.Key), e.Value)).Where(e => e.Key is not null).ToDictionary(e => e.Key!, e => e.Value);
            var needed = ours.Keys.Where(k => k.StartsWith($"backbone.{task}.", StringComparison.Ordinal) || k.StartsWith($"heads.{task}.", StringComparison.Ordinal));
            var missing = needed.Where(k => !mapped.ContainsKey(k)).ToArray();
            if (missing.Length > 0)
                throw new ArgumentException($"{GetName()}: the single-task state dict of '{task}' lacks {missing.Length} tensors, e.g. {string.Join(", ", missing.Take(3))}.");
            using var _ = no_grad();
            foreach (var (key, value) in mapped)
            {
                if (!ours.TryGetValue(key, out var target)) continue;
                if (!target.shape.SequenceEqual(value.shape))
                    throw new ArgumentException($"{GetName()}: '{key}' has shape [{string.Join(", ", target.shape)}], the single-task tensor [{string.Join(", ", value.shape)}].");
                target.copy_(value);
            }
        }
    }

    private static string? Target(string task, string key) =>
        key.StartsWith("backbone.", StringComparison.Ordinal) ? $"backbone.{task}.{key["backbone.".Length..]}"
        : key.StartsWith("head.", StringComparison.Ordinal) ? $"heads.{task}.{key["head.".Length..]}"
        : key.StartsWith("decoder.", StringComparison.Ordinal) ? $"heads.{task}.{key["decoder.".Length..]}"
        : null;
}
