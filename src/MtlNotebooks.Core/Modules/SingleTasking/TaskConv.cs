using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>ASTMT's decoder unit (the official <c>ConvCoupledSE</c>): a shared convolution (<c>process</c>) with an
/// optional per-task residual adapter beside it (<c>adapt</c>: 1x1, no bias, zero-initialised; Rebuffi et al. 2018),
/// batch norm shared or per task (<c>norm</c>), ReLU, then an optional per-task SE block (<c>se</c>).</summary>
public sealed class TaskConv : Module<Tensor, Tensor>
{
    private readonly Sequential process;
    private readonly Module<Tensor, Tensor>? adapt;
    private readonly Module<Tensor, Tensor> norm;
    private readonly TaskSqueezeExcitation? se;
    private readonly bool _relu6;

    /// <param name="process">The shared layers; the last must be a convolution (its channels size the adapter).</param>
    /// <param name="style">The switches of the decoder this unit belongs to.</param>
    /// <param name="adapters">False where the code has none even when adapters are on (the image-pooling branch).</param>
    /// <param name="reduction">SE reduction (16; 4 for the low-level unit and in the MobileNet variant).</param>
    public TaskConv(Module<Tensor, Tensor>[] process, TaskConvStyle style, bool adapters = true, int reduction = 16) : base(nameof(TaskConv))
    {
        var conv = process[^1] as Conv2d ?? throw new ArgumentException("The last processing layer must be a Conv2d.", nameof(process));
        long inChannels = conv.weight!.shape[1] * conv.groups, outChannels = conv.weight.shape[0];
        _relu6 = style.MobileNet;
        this.process = Sequential(process);
        if (style.Adapters && adapters) adapt = new PerTask(style.Tasks, style.Active, _ => ZeroConv1x1(inChannels, outChannels));
        norm = style.TaskNorm ? new PerTask(style.Tasks, style.Active, _ => Ops.BatchNorm2d(outChannels)) : Ops.BatchNorm2d(outChannels);
        if (style.TaskSqueeze)
            se = new TaskSqueezeExcitation((int)outChannels, style.MobileNet ? 4 : reduction, style.Tasks, style.Active, style.MobileNet);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var x = process.call(input);
        if (adapt is not null) x = x.add(adapt.call(input), One);
        x = norm.call(x);
        x = _relu6 ? functional.relu6(x) : functional.relu(x);
        return se is null ? x : se.call(x);
    }

    /// <summary>A residual adapter: 1x1 conv without bias, zero-initialised so that it starts as the identity of the
    /// shared path (ASTMT §3.2).</summary>
    internal static Conv2d ZeroConv1x1(long inChannels, long outChannels)
    {
        var conv = Ops.Conv2d(inChannels, outChannels, 1, bias: false);
        using (no_grad()) conv.weight!.zero_();
        return conv;
    }
}
