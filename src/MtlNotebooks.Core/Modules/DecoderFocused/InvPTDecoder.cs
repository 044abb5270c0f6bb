using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>InvPT's multi-task decoder (the official <c>TransformerDecoder</c>, fields kept): the backbone's last map,
/// halved bilinearly, goes through a preliminary decoder per task (two 3×3 conv + BN + ReLU blocks) to features of
/// width E and a 1×1 preliminary prediction (deep supervision); the inverted pyramid decodes them, taking the backbone's
/// earlier maps as skips (<c>scale_embed</c>: a ×2 transposed convolution for the stage at 4× the start, a 3×3 convolution
/// for the stage at 2×). <c>scale_embed.2</c> exists, as in the official code, but its map is never used.</summary>
internal sealed class InvPTDecoder : Module<Tensor, Tensor>
{
    private readonly ModuleDict<Conv2d> intermediate_head;
    private readonly InvertedPyramid invpt;
    private readonly ModuleDict<Sequential> preliminary_decoder;
    private readonly ModuleList<Module<Tensor, Tensor>> scale_embed;
    private readonly IReadOnlyList<string> _tasks;

    public InvPTDecoder(InvPTOptions options, FeatureInfo levels, IReadOnlyList<string> projected) : base("TransformerDecoder")
    {
        _tasks = options.AllTasks;
        var used = levels.Levels.TakeLast(4).ToArray();
        int input = used[3].Channels, dims0 = options.StageDims[0];
        intermediate_head = new ModuleDict<Conv2d>();
        preliminary_decoder = new ModuleDict<Sequential>();
        invpt = new InvertedPyramid(options, projected);
        foreach (var task in _tasks)
        {
            intermediate_head.Add(task, Ops.Conv2d(options.EmbedDim, options.OutputChannels[task], 1));
            preliminary_decoder.Add(task, Sequential(ConvBlock(input, input), ConvBlock(input, options.EmbedDim)));
        }
        scale_embed = new ModuleList<Module<Tensor, Tensor>>(
            ConvTranspose2d(used[0].Channels, options.StageDims[2], 3, stride: 2, padding: 1, output_padding: 1),
            Ops.Conv2d(used[1].Channels, options.StageDims[1], 3, padding: 1),
            Ops.Conv2d(used[2].Channels, dims0, 3, padding: 1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => throw new NotSupportedException("Call Decode(levels).");

    /// <summary>The task features of the projected tasks and every task's preliminary prediction, from the backbone's last
    /// four maps, all on the grid of the last one.</summary>
    public (Dictionary<string, Tensor> Features, Dictionary<string, Tensor> Preliminary) Decode(IReadOnlyList<Tensor> maps)
    {
        using var scope = NewDisposeScope();
        var last = maps[3];
        long h = last.shape[2] / 2, w = last.shape[3] / 2;
        var skips = new[] { scale_embed[1].call(maps[1]), scale_embed[0].call(maps[0]) };   // stage 1 at 2h, stage 2 at 4h
        var start = functional.interpolate(last, [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
        var features = _tasks.ToDictionary(t => t, t => preliminary_decoder[t].call(start));
        var preliminary = _tasks.ToDictionary(t => t, t => intermediate_head[t].call(features[t]));
        var decoded = invpt.Decode(features, preliminary, skips);
        foreach (var tensor in decoded.Values.Concat(preliminary.Values)) tensor.MoveToOuterDisposeScope();
        return (decoded, preliminary);
    }

    private static Sequential ConvBlock(int input, int output) =>
        Sequential(("conv", Ops.Conv2d(input, output, 3, padding: 1, bias: false)), ("bn1", Ops.BatchNorm2d(output)), ("relu", ReLU()));
}
