namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>The switches an <see cref="AstmtModule"/> is built and trained with, as <see cref="Astmt"/> describes them
/// (each a row of ASTMT's Table 3 and a flag of the official code).</summary>
public sealed record AstmtOptions(
    bool EncoderSqueeze = true,
    bool DecoderSqueeze = true,
    bool Adapters = true,
    bool TaskBatchNorm = true,
    bool Adversarial = true,
    double DiscriminatorWeight = 0.01,
    bool StepPerTask = true,
    int DecoderWidth = 64,
    double? TaskLearningRateScale = null,
    double DiscriminatorLearningRateScale = 10,
    bool SingleTask = false,
    int DiscriminatorKernel = 1,
    double ReversalScale = 1)
{
    /// <summary>The configuration in words: which of ASTMT's parts are on.</summary>
    public string Name
    {
        get
        {
            if (SingleTask) return "ASTMT single-task";
            var parts = new List<string>();
            if (EncoderSqueeze && DecoderSqueeze) parts.Add("SE");
            else if (EncoderSqueeze) parts.Add("SE enc");
            else if (DecoderSqueeze) parts.Add("SE dec");
            if (Adapters) parts.Add("RA");
            if (Adversarial && ReversalScale == 0) parts.Add("discriminator probe");
            else if (Adversarial) parts.Add($"Adv w_d {DiscriminatorWeight:0.###}");
            if (!TaskBatchNorm) parts.Add("shared BN");
            if (!StepPerTask) parts.Add("joint step");
            return parts.Count == 0 ? "ASTMT MT baseline" : $"ASTMT ({string.Join(", ", parts)})";
        }
    }
}
