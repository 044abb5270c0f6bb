using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>ASTMT's adversarial task discriminator (§4, appendix): it sees, at every pixel of the decoder features, the
/// gradient that a task's loss sends there and predicts which task sent it; through gradient reversal the network learns
/// to make the tasks' gradients indistinguishable. Field <c>model</c> = k×k conv C→C (no bias), ReLU, k×k conv C→T, as the
/// official <c>FullyConvDiscriminator</c> (depth 2).</summary>
public sealed class GradientDiscriminator : Module<Tensor, Tensor>
{
    private readonly Sequential model;

    /// <param name="channels">Channels of the decoder features whose gradients it sees.</param>
    /// <param name="tasks">Number of tasks it tells apart.</param>
    /// <param name="kernel">1 (the PASCAL code) or 3 (the NYUD code), padded to keep the size.</param>
    public GradientDiscriminator(int channels, int tasks, int kernel = 1) : base(nameof(GradientDiscriminator))
    {
        model = Sequential(Ops.Conv2d(channels, channels, kernel, padding: kernel / 2, bias: false), ReLU(),
            Ops.Conv2d(channels, tasks, kernel, padding: kernel / 2));
        RegisterComponents();
    }

    /// <summary>Per-pixel task logits [B, T, H, W] of a (normalised, reversed) gradient map.</summary>
    public override Tensor forward(Tensor gradient) => model.call(gradient);

    /// <summary>The discriminator's input for one task: ∂loss/∂features taken with a graph (double backprop), divided by
    /// its L2 norm over channels at every pixel (+1e-10, as the code), through gradient reversal with weight α.</summary>
    public static Tensor TaskGradient(Tensor loss, Tensor features, double alpha)
    {
        var gradient = autograd.grad([loss], [features], retain_graph: true, create_graph: true)[0];
        using Scalar tiny = 1e-10;
        var normalised = gradient / linalg.vector_norm(gradient, 2, [1], keepdim: true).add(tiny, One);
        return ReverseGradient(normalised, alpha);
    }

    /// <summary>Gradient reversal (Ganin &amp; Lempitsky 2015): the identity forward, −α × the gradient backward.</summary>
    public static Tensor ReverseGradient(Tensor x, double alpha)
    {
        using Scalar reversed = -alpha, kept = 1 + alpha;
        return x.mul(reversed).add(x.mul(kept).detach(), One);
    }

    /// <summary>The reversal weight of the paper's ramp (Ganin et al.): 2 / (1 + exp(−10 p)) − 1 with p = (epoch + 1) / epochs,
    /// <paramref name="epoch"/> counted from 0 as the official code does.</summary>
    public static double Ramp(int epoch, int epochs) => 2.0 / (1.0 + Math.Exp(-10.0 * (epoch + 1) / epochs)) - 1.0;

    /// <summary>The discriminator's target at <paramref name="height"/> × <paramref name="width"/>: the task's index wherever
    /// the label is not 255 (its channel 0, nearest-resized), 255 (ignored) elsewhere, as the official code.</summary>
    public static Tensor Target(Tensor label, long taskIndex, long height, long width)
    {
        using var scope = NewDisposeScope();
        var first = (label.dim() == 3 ? label.unsqueeze(1) : label.narrow(1, 0, 1)).to(ScalarType.Float32);
        var resized = functional.interpolate(first, [height, width], mode: InterpolationMode.Nearest).squeeze(1);
        using Scalar ignore = 255, index = taskIndex;
        return where(resized.ne(ignore), full_like(resized, index), full_like(resized, ignore)).to(ScalarType.Int64).MoveToOuterDisposeScope();
    }
}
