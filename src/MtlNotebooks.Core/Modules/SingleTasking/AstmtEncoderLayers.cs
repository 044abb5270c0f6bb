using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>How the encoder's layers are made under ASTMT's switches: batch norm shared or per task, SE absent, shared or
/// per task (with its reduction), residual adapters or not.</summary>
/// <param name="Tasks">Every task, in order.</param>
/// <param name="Active">The task of the current forward pass.</param>
/// <param name="SqueezeExcitation">An SE block in every block (the SE-ResNet / SE-MobileNet backbone).</param>
/// <param name="TaskSqueeze">That SE block is one per task (the code's <c>seenc</c>).</param>
/// <param name="TaskNorm">Every batch norm after the stem is one per task (the code's <c>trNorm</c>).</param>
/// <param name="Adapters">A residual adapter per task beside every 3x3 conv (the code's <c>adapt</c>).</param>
/// <param name="Reduction">SE reduction: 16 in SE-ResNets, 4 in the SE-MobileNet.</param>
public sealed record AstmtEncoderLayers(IReadOnlyList<string> Tasks, ActiveTask Active, bool SqueezeExcitation, bool TaskSqueeze,
    bool TaskNorm, bool Adapters, int Reduction = 16)
{
    public Module<Tensor, Tensor> Norm(long channels) =>
        TaskNorm ? new PerTask(Tasks, Active, _ => Ops.BatchNorm2d(channels)) : Ops.BatchNorm2d(channels);

    public TaskSqueezeExcitation? Squeeze(int channels) =>
        SqueezeExcitation ? new TaskSqueezeExcitation(channels, Reduction, TaskSqueeze ? Tasks : null, Active) : null;
}
