using MtlNotebooks.Modules.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>InvPT (Ye &amp; Xu, "Inverted Pyramid Multi-task Transformer for Dense Scene Understanding", ECCV 2022) as its
/// official code builds it (<c>TransformerNet</c>: <c>backbone</c>, <c>multi_task_decoder</c>, <c>heads.&lt;task&gt;.linear_pred</c>),
/// so the official state dicts load by name. It reads the backbone's last four levels (ViT-L: blocks 6, 12, 18 and the
/// normed output), all brought to the grid of the finest of them (the same grid on a ViT); every task gets a preliminary prediction at half that grid
/// (deep supervision, with the task's own loss weight), the inverted pyramid decodes all tasks jointly to four times that
/// grid, and a 1×1 head per main task predicts, resized to the input.</summary>
public sealed class InvPTModule : MultiTaskNet
{
    /// <summary>The name of every task's preliminary prediction among <see cref="TaskOutputs.Intermediate"/>.</summary>
    public const string PreliminaryName = "preliminary";

    private readonly Backbone backbone;
    private readonly InvPTDecoder multi_task_decoder;
    private readonly ModuleDict<Sequential> heads;
    private readonly IReadOnlyList<string> _allTasks;

    public InvPTModule(Backbone backbone, InvPTOptions options) : base(nameof(InvPTModule), options.Tasks)
    {
        var problems = options.Validate("InvPT").Concat(InvPT.BackboneProblems(backbone.Features, "InvPT")).ToArray();
        if (problems.Length > 0) throw new ArgumentException(string.Join(" ", problems), nameof(options));
        this.backbone = backbone;
        _allTasks = options.AllTasks;
        multi_task_decoder = new InvPTDecoder(options, backbone.Features, options.Tasks);
        heads = new ModuleDict<Sequential>();
        foreach (var task in options.Tasks)
            heads.Add(task, Sequential(("linear_pred", MtlNotebooks.Runtime.Ops.Conv2d(options.StageDims[0], options.OutputChannels[task], 1))));
        RegisterComponents();
    }

    public override TaskOutputs forward(Tensor image)
    {
        var levels = backbone.call(image);
        var grid = levels[levels.Count - 4];
        if (grid.shape[2] < 2 || grid.shape[3] < 2)
            throw new ArgumentException($"InvPT halves the backbone's grid before decoding, so the grid needs at least 2×2 cells; the backbone gives " +
                                        $"{grid.shape[2]}×{grid.shape[3]} for an image of {image.shape[2]}×{image.shape[3]}.", nameof(image));
        var maps = levels.Skip(levels.Count - 4).Select(m => Resize.To(m, grid.shape[2], grid.shape[3])).ToArray();
        var (features, preliminary) = multi_task_decoder.Decode(maps);
        return TaskOutputs.From(Tasks, t => Resize.To(heads[t].call(features[t]), image.shape[2], image.shape[3]),
            _allTasks.Select(t => new IntermediatePrediction(t, PreliminaryName, preliminary[t])));
    }
}
