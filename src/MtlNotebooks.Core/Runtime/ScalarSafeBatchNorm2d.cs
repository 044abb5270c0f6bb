using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Runtime;

/// <summary>TorchSharp's <c>BatchNorm2d</c> with the same parameters, buffers, state-dict keys and arithmetic, but the scalars
/// that count batches held for the whole process. TorchSharp's forward adds a bare <c>1</c> to <c>num_batches_tracked</c>
/// (and <c>add_</c> an alpha of 1); the finalisable <see cref="Scalar"/>s it makes of them can be collected while libtorch
/// still reads them ("Unknown scalar type", or "alpha must not be a floating point number", in training under load). Its class is sealed, so this is a module of its own, built the same way
/// (weight 1, bias 0, running mean 0, running variance 1, PyTorch's key order).</summary>
public sealed class ScalarSafeBatchNorm2d : Module<Tensor, Tensor>
{
    public readonly Parameter? weight;
    public readonly Parameter? bias;
    public readonly Tensor? running_mean;
    public readonly Tensor? running_var;
    public readonly Tensor? num_batches_tracked;

    /// <param name="features">C of an (N, C, H, W) input.</param>
    /// <param name="eps">Added to the variance (PyTorch's default 1e-5).</param>
    /// <param name="momentum">Weight of the batch in the running statistics; null for the cumulative average.</param>
    /// <param name="affine">Learn a per-channel scale and shift.</param>
    /// <param name="trackRunningStats">Keep running statistics for evaluation.</param>
    public ScalarSafeBatchNorm2d(long features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true)
        : base("BatchNorm2d")
    {
        if (features <= 0) throw new ArgumentOutOfRangeException(nameof(features), features, "A batch norm needs at least one channel.");
        Features = features;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            weight = new Parameter(ones(features));
            bias = new Parameter(zeros(features));
        }
        if (trackRunningStats)
        {
            running_mean = zeros(features);
            running_var = ones(features);
            num_batches_tracked = tensor(0L);
        }
        RegisterComponents();
    }

    public long Features { get; }
    public double Eps { get; }
    public double? Momentum { get; }

    public override Tensor forward(Tensor input)
    {
        if (input.Dimensions != 4)
            throw new ArgumentException($"BatchNorm2d({Features}) expects an (N, C, H, W) input, got [{string.Join(", ", input.shape)}].", nameof(input));
        double factor = Momentum ?? 0.0;
        if (training && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(HeldScalars.One, HeldScalars.One);
            if (Momentum is null) factor = 1.0 / num_batches_tracked.item<long>();
        }
        // Training normalises by the batch's statistics (and updates the running ones); evaluation by the running ones.
        return functional.batch_norm(input, running_mean, running_var, weight, bias, training || running_mean is null, factor, Eps);
    }
}
