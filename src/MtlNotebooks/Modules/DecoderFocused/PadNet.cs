using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Modules.Heads;
using MtlNotebooks.Modules.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>PAD-Net (Xu et al., CVPR 2018; survey §2.3.1) on a multi-scale backbone as in the MTI-Net/survey code: all
/// levels resized to the finest and fused (1x1 conv-BN-ReLU to <c>channels</c>), per task two residual blocks → features and
/// an initial prediction (deep supervision), multi-modal distillation into the main tasks, per main task two residual
/// blocks and a 1x1 classifier. (The reference uses bottlenecks; basic blocks keep CPU tutorials fast.)</summary>
public sealed class PadNetModule : MultiTaskNet
{
    private readonly Backbone backbone;
    private readonly ConvBnAct fuse;
    private readonly ModuleDict<Module<Tensor, Tensor>> features;
    private readonly ModuleDict<Module<Tensor, Tensor>> initial;
    private readonly Module<TaskFeatures, TaskFeatures> distill;
    private readonly ModuleDict<Module<Tensor, Tensor>> heads;
    private readonly IReadOnlyList<string> _allTasks;
    private readonly string _name;

    public PadNetModule(Backbone backbone, IReadOnlyList<string> tasks, IReadOnlyList<string> auxiliaryTasks,
        IReadOnlyDictionary<string, int> outputChannels, int channels, IDistillationUnit distillation)
        : base(nameof(PadNetModule), tasks)
    {
        this.backbone = backbone;
        _allTasks = [.. tasks, .. auxiliaryTasks];
        _name = $"initial@stride{backbone.Features.Finest.Stride}";
        fuse = new ConvBnAct(backbone.Features.TotalChannels, channels, 1);
        features = new ModuleDict<Module<Tensor, Tensor>>();
        initial = new ModuleDict<Module<Tensor, Tensor>>();
        foreach (var task in _allTasks)
        {
            features.Add(task, Sequential(("block1", new BasicBlock(channels, channels)), ("block2", new BasicBlock(channels, channels))));
            initial.Add(task, Conv2d(channels, outputChannels[task], 1));
        }
        distill = distillation.Create(new DistillationContext(_allTasks, tasks, channels, backbone.Features.Finest));
        heads = new ModuleDict<Module<Tensor, Tensor>>();
        foreach (var task in tasks)
            heads.Add(task, Sequential(("block1", new BasicBlock(channels, channels)), ("block2", new BasicBlock(channels, channels)),
                ("classifier", Conv2d(channels, outputChannels[task], 1))));
        RegisterComponents();
    }

    public override TaskOutputs forward(Tensor image)
    {
        var shared = fuse.call(Resize.ConcatAtFinest(backbone.call(image)));
        var perTask = TaskFeatures.From(_allTasks, t => features[t].call(shared));
        var predictions = _allTasks.Select(t => new IntermediatePrediction(t, _name, initial[t].call(perTask[t]))).ToArray();
        var distilled = distill.call(perTask);
        return TaskOutputs.From(Tasks, t => Resize.To(heads[t].call(distilled[t]), image.shape[2], image.shape[3]), predictions);
    }

    public override IReadOnlyList<Parameter> SharedParameters() => backbone.parameters().ToArray();
}
