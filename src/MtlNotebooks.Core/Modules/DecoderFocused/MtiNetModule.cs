using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Modules.Heads;
using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>MTI-Net (Vandenhende et al., ECCV 2020): initial task predictions at every scale from the coarsest up
/// (deep supervision, §3.1), multi-modal distillation per scale (§3.2, eq. 1), feature propagation between scales (FPM,
/// §3.3) and feature aggregation of the distilled maps at 1/4 into each main task's head (§3.4). Auxiliary tasks only get
/// initial predictions: they shape the features the main tasks distil from.</summary>
public sealed class MtiNetModule : MultiTaskNet, MtlNotebooks.Weights.IReferenceKeys
{
    private static readonly Lazy<MtlNotebooks.Weights.KeyMap> KeyNames = new(() => MtlNotebooks.Weights.KeyMap.Load("survey-mti-net", "the survey code's MTINet"));

    /// <summary>Our keys under the survey code's MTINet's names (Weights/KeyMaps/survey-mti-net.tsv).</summary>
    public MtlNotebooks.Weights.KeyMap ReferenceKeys => KeyNames.Value;

    private readonly Backbone backbone;
    private readonly ModuleList<ScaleModule> scales;
    private readonly ModuleDict<HRNetHeadModule> heads;
    private readonly IReadOnlyList<string> _allTasks;
    private readonly int _scaleCount;

    public MtiNetModule(Backbone backbone, MtiNetOptions options) : base(nameof(MtiNetModule), options.Tasks)
    {
        this.backbone = backbone;
        _allTasks = [.. options.Tasks, .. options.AuxiliaryTasks];
        _scaleCount = options.Scales;
        var levels = backbone.Features.Levels.Take(options.Scales).ToArray();
        scales = new ModuleList<ScaleModule>();
        // Built from the coarsest used scale to the finest, the order of the forward pass.
        for (int s = levels.Length - 1; s >= 0; s--)
        {
            int incoming = s == levels.Length - 1 || !options.Propagation.Propagates ? 0 : levels[s + 1].Channels;
            scales.Add(new ScaleModule(levels[s], incoming, _allTasks, options, propagate: s > 0 && options.Propagation.Propagates));
        }
        // Feature aggregation (§3.4) is the HRNet head over the distilled maps of the used scales.
        heads = new ModuleDict<HRNetHeadModule>();
        foreach (var task in options.Tasks)
            heads.Add(task, new HRNetHeadModule(new FeatureInfo(levels), options.OutputChannels[task]));
        RegisterComponents();
    }

    public override TaskOutputs forward(Tensor image)
    {
        var maps = backbone.call(image);
        var intermediate = new List<IntermediatePrediction>();
        var distilled = new List<TaskFeatures>();
        TaskFeatures? propagated = null;
        for (int i = 0; i < scales.Count; i++)
        {
            int s = _scaleCount - 1 - i;
            var step = scales[i].Run(maps[s], propagated);
            intermediate.AddRange(step.Predictions);
            distilled.Add(step.Distilled);
            propagated = step.Propagated;
        }
        // distilled runs coarsest → finest; the head takes the maps finest first.
        return TaskOutputs.From(Tasks, task =>
            Resize.To(heads[task].call(new FeatureMaps(distilled.Select(d => d[task]).Reverse())), image.shape[2], image.shape[3]), intermediate);
    }

    /// <summary>One scale of MTI-Net: per-task features and initial predictions, distillation, and the FPM toward the
    /// next finer scale.</summary>
    private sealed class ScaleModule : Module<Tensor, Tensor>
    {
        private readonly ModuleDict<Module<Tensor, Tensor>> features;
        private readonly ModuleDict<Module<Tensor, Tensor>> predict;
        private readonly Module<TaskFeatures, TaskFeatures> distill;
        private readonly Module<TaskFeatures, TaskFeatures>? propagate;
        private readonly IReadOnlyList<string> _tasks;
        private readonly string _name;

        public ScaleModule(FeatureLevel level, int incomingChannels, IReadOnlyList<string> tasks, MtiNetOptions options, bool propagate)
            : base($"Scale{level.Stride}")
        {
            _tasks = tasks;
            _name = $"initial@stride{level.Stride}";
            int c = level.Channels;
            features = new ModuleDict<Module<Tensor, Tensor>>();
            predict = new ModuleDict<Module<Tensor, Tensor>>();
            foreach (var task in tasks)
            {
                // Two basic blocks; at finer scales the first also projects [backbone ‖ propagated] back to C_s.
                features.Add(task, Sequential(("block1", ResNetBasicBlock.OfConvBnUnits(c + incomingChannels, c)), ("block2", ResNetBasicBlock.OfConvBnUnits(c, c))));
                predict.Add(task, Ops.Conv2d(c, options.OutputChannels[task], 1));
            }
            distill = options.Distillation.Create(new DistillationContext(tasks, options.Tasks, c, level));
            if (propagate) this.propagate = options.Propagation.Create(new PropagationContext(ReferenceTaskOrder.Of(tasks), c, level));
            RegisterComponents();
        }

        public (TaskFeatures Distilled, TaskFeatures? Propagated, IEnumerable<IntermediatePrediction> Predictions) Run(Tensor map, TaskFeatures? incoming)
        {
            var perTask = TaskFeatures.From(_tasks, task =>
            {
                var input = incoming is null ? map : cat([map, Resize.To(incoming[task], map.shape[2], map.shape[3])], 1);
                return features[task].call(input);
            });
            var predictions = _tasks.Select(t => new IntermediatePrediction(t, _name, predict[t].call(perTask[t]))).ToArray();
            return (distill.call(perTask), propagate?.call(perTask), predictions);
        }

        public override Tensor forward(Tensor input) =>
            throw new NotSupportedException("A scale of MTI-Net is run through Run(map, incoming), not forward().");
    }
}
