using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>MGDA-UB (Sener &amp; Koltun 2018, §3.3, Theorem 1): MGDA on the gradients with respect to the shared
/// representation Z instead of the shared parameters, an upper bound that needs only each task's backward pass
/// through its own head. The contract gives a balancer parameters, not features, so this implementation takes the
/// gradients with respect to the last shared layer (<see cref="StepContext.LastSharedParameters"/>, the parameters
/// that produce Z) as the cheap stand-in, then back-propagates Σ_t α_t L_t once.</summary>
public sealed record MgdaUB(GradientNormalization Normalization = GradientNormalization.None) : ILossBalancer
{
    public string Name => Normalization == GradientNormalization.None ? "MGDA-UB" : $"MGDA-UB ({Normalization})";

    public LossBalancer Create(BalancerContext context) => new MgdaModule(Normalization, upperBound: true);
}
