namespace MtlNotebooks.Balancing;

/// <summary>Seeds for the balancers that draw random numbers every step (RLW, PCGrad, GradVac, GradDrop): derived from
/// the run's seed and the step, so a run is reproducible and a resumed run draws what the uninterrupted one drew.</summary>
internal static class StepSeed
{
    /// <summary>The seed of step <paramref name="step"/> of a run seeded <paramref name="seed"/> (deterministic, unlike
    /// <see cref="HashCode"/>).</summary>
    public static int For(int seed, long step) => unchecked((int)(step * 1_000_003L) ^ (seed * 7919) ^ 0x5bd1e995);
}
