namespace MtlNotebooks.Balancing;

/// <summary>Where a <see cref="GradientBalancer"/> takes its per-task gradients.</summary>
public enum GradientScope
{
    /// <summary>All shared parameters (<see cref="StepContext.SharedParameters"/>); the balancer returns the combined
    /// shared gradient, which is written into their <c>.grad</c>.</summary>
    SharedParameters,

    /// <summary>Only the last shared layer (<see cref="StepContext.LastSharedParameters"/>), which is cheap; the balancer
    /// returns loss weights and the base back-propagates Σ_t w_t L_t once (MGDA-UB).</summary>
    LastSharedLayer,

    /// <summary>All shared parameters, taken with <c>torch.autograd.grad</c>; the balancer returns loss weights and the
    /// base back-propagates Σ_t w_t L_t once, so every parameter, task-specific ones included, gets the weighted
    /// gradient (FairGrad, ExcessMTL: loss weights computed from the task gradients).</summary>
    WeightedLoss,
}
