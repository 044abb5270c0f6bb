using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>Per-task gradient state of the stateful gradient balancers (MoCo's tracked gradients, DB-MTL's buffer,
/// ExcessMTL's accumulators): a buffer [T, P] sized with the shared parameters when the balancer is built with a network
/// (<see cref="BalancerContext.SharedParameterCount"/>), so a checkpoint's state fits it.</summary>
internal static class StatefulGradients
{
    /// <summary>Makes <paramref name="state"/> [T, P] fit the task gradients [T, P′]: a balancer created without a network
    /// (P = 0) sizes it now; a different size (parameters frozen or unfrozen since the build) starts it afresh at zero.</summary>
    public static void Fit(Tensor state, Tensor gradients)
    {
        if (state.shape.SequenceEqual(gradients.shape)) return;
        using var _ = no_grad();
        state.set_(zeros(gradients.shape, state.dtype, state.device));
    }
}
