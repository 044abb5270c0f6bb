using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Modules.Heads;
using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>PAD-Net (Xu et al., CVPR 2018; survey §2.3.1) on a multi-scale backbone, built as the MTI-Net/survey code
/// builds it: all levels resized to the finest and fused (1x1 conv with bias, BN, ReLU, keeping their summed width); per
/// task two torchvision bottlenecks (the first projecting to <c>channels</c>) → features and a 1x1 initial prediction
/// (deep supervision); multi-modal distillation into the main tasks; per main task two bottlenecks and a 1x1 classifier.
/// On HRNet-18 with semseg 40 + depth this has exactly the reference code's 7,019,056 parameters (MTI-Net Table 7a: −15%
/// of the single-task models' 8.0 M).</summary>
public sealed class PadNetModule : MultiTaskNet, MtlNotebooks.Weights.IReferenceKeys
{
    private static readonly Lazy<MtlNotebooks.Weights.KeyMap> KeyNames = new(() => MtlNotebooks.Weights.KeyMap.Load("survey-pad-net", "the survey code's PADNet"));

    /// <summary>Our keys under the survey code's PADNet's names (Weights/KeyMaps/survey-pad-net.tsv).</summary>
    public MtlNotebooks.Weights.KeyMap ReferenceKeys => KeyNames.Value;

    private readonly Backbone backbone;
    private readonly Sequential fuse;
    private readonly ModuleDict<Module<Tensor, Tensor>> features;
    private readonly ModuleDict<Module<Tensor, Tensor>> initial;
    private readonly Module<TaskFeatures, TaskFeatures> distill;
    private readonly ModuleDict<Module<Tensor, Tensor>> heads;
    private readonly IReadOnlyList<string> _allTasks;
    private readonly string _name;

    /// <summary>Builds PAD-Net on <paramref name="backbone"/>.</summary>
    public PadNetModule(Backbone backbone, PadNetOptions options) : base(nameof(PadNetModule), options.Tasks)
    {
        int channels = options.Channels;
        if (channels < 4 || channels % 4 != 0)
            throw new ArgumentOutOfRangeException(nameof(options), channels, "PAD-Net's bottlenecks need a positive multiple of 4 channels.");
        this.backbone = backbone;
        _allTasks = [.. options.Tasks, .. options.AuxiliaryTasks];
        _name = $"initial@stride{backbone.Features.Finest.Stride}";
        int fused = backbone.Features.TotalChannels, planes = channels / 4;
        fuse = Sequential(("conv", Ops.Conv2d(fused, fused, 1)), ("bn", Ops.BatchNorm2d(fused)), ("relu", ReLU()));
        features = new ModuleDict<Module<Tensor, Tensor>>();
        initial = new ModuleDict<Module<Tensor, Tensor>>();
        foreach (var task in _allTasks)
        {
            features.Add(task, Sequential(("block1", new ResNetBottleneck(fused, planes, project: fused != channels)),
                ("block2", new ResNetBottleneck(channels, planes))));
            initial.Add(task, Ops.Conv2d(channels, options.OutputChannels[task], 1));
        }
        distill = options.Distillation.Create(new DistillationContext(_allTasks, options.Tasks, channels, backbone.Features.Finest));
        heads = new ModuleDict<Module<Tensor, Tensor>>();
        foreach (var task in options.Tasks)
            heads.Add(task, Sequential(("block1", new ResNetBottleneck(channels, planes)), ("block2", new ResNetBottleneck(channels, planes)),
                ("classifier", Ops.Conv2d(channels, options.OutputChannels[task], 1))));
        RegisterComponents();
    }

    /// <summary>The reference's width (256), or the fused backbone width rounded down to a multiple of 4 when narrower.</summary>
    public static int DefaultChannels(FeatureInfo features) => Math.Min(256, features.TotalChannels / 4 * 4);

    public override TaskOutputs forward(Tensor image)
    {
        var shared = fuse.call(Resize.ConcatAtFinest(backbone.call(image)));
        var perTask = TaskFeatures.From(_allTasks, t => features[t].call(shared));
        var predictions = _allTasks.Select(t => new IntermediatePrediction(t, _name, initial[t].call(perTask[t]))).ToArray();
        var distilled = distill.call(perTask);
        return TaskOutputs.From(Tasks, t => Resize.To(heads[t].call(distilled[t]), image.shape[2], image.shape[3]), predictions);
    }
}
