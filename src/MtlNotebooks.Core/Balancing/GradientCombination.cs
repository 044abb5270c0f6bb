using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>The result of <see cref="GradientBalancer.Combine"/>: the combined shared gradient [P] (null when the
/// balancer only weights the losses) and the per-task weights it amounts to.</summary>
public readonly record struct GradientCombination(Tensor? SharedGradient, double[] Weights);
