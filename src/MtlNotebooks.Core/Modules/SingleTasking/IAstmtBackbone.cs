namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>A backbone spec that <see cref="Astmt"/> can rebuild as its task-aware encoder: the same network with each
/// block's squeeze-and-excitation, batch norm and residual adapters made per task (Maninis et al. 2019, §3, Fig. 3).
/// ASTMT asks a backbone for this capability (<see cref="IBackbone.Capability{T}"/>); the SE-ResNets with bottlenecks and
/// MobileNet-V2 offer it. A backbone of your own offers it by building an <see cref="AstmtModule"/> from its own blocks.</summary>
public interface IAstmtBackbone
{
    /// <summary>What keeps this backbone from serving <paramref name="astmt"/>, each problem starting with <paramref name="caller"/>.</summary>
    IEnumerable<string> ValidateForAstmt(Astmt astmt, string caller);

    /// <summary>The task-aware network for <paramref name="outputs"/> (task name → output channels).</summary>
    AstmtModule CreateAstmt(Astmt astmt, IReadOnlyDictionary<string, int> outputs);
}
