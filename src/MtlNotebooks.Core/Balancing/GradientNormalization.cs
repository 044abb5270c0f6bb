namespace MtlNotebooks.Balancing;

/// <summary>How MGDA normalises the task gradients before solving (Sener &amp; Koltun's code offers these four).</summary>
public enum GradientNormalization
{
    /// <summary>No normalisation (LibMTL's default).</summary>
    None,
    /// <summary>g_t / ‖g_t‖.</summary>
    L2,
    /// <summary>g_t / L_t.</summary>
    Loss,
    /// <summary>g_t / (L_t ‖g_t‖).</summary>
    LossPlus,
}
