using MtlNotebooks.Balancing;

namespace MtlNotebooks;

/// <summary>Loss balancer factory (survey §3).</summary>
public static class Balancers
{
    /// <summary>Fixed per-task weights, e.g. <c>Balancers.FixedWeights(("normals", 10), ("edge", 50))</c> (ASTMT appendix);
    /// tasks not named get weight 1, so <c>FixedWeights()</c> is the survey's uniform weighting.</summary>
    public static FixedWeights FixedWeights(params (string Task, double Weight)[] weights) =>
        new(weights.ToDictionary(w => w.Task, w => w.Weight));

    /// <summary>Uncertainty weighting (Kendall et al. 2018; survey eq. 6): ½ Σ_t (exp(−s_t) L_t + s_t), s_t learned.</summary>
    public static Uncertainty Uncertainty(double initialLogVariance = 0.0) => new(initialLogVariance);

    /// <summary>GradNorm (Chen et al. 2018; survey eq. 7) with asymmetry α on the last shared layer.</summary>
    public static GradNorm GradNorm(double alpha = 1.5) => new(alpha);

    /// <summary>Dynamic weight averaging (Liu et al. 2019; survey eq. 8) with temperature T.</summary>
    public static Dwa Dwa(double temperature = 2.0) => new(temperature);

    /// <summary>Dynamic task prioritisation (Guo et al. 2018; survey eq. 9) from validation KPIs.</summary>
    public static Dtp Dtp(double gamma = 1.0, double smoothing = 0.9, IReadOnlyDictionary<string, KpiFunction>? kpis = null) =>
        new(gamma, smoothing, kpis);

    /// <summary>MGDA (Sener &amp; Koltun 2018): the min-norm combination of the task gradients of the shared parameters.</summary>
    public static Mgda Mgda(GradientNormalization normalization = GradientNormalization.None) => new(normalization);

    /// <summary>MGDA-UB (Sener &amp; Koltun 2018, §3.3): MGDA's weights from the last shared layer, one backward pass.</summary>
    public static MgdaUB MgdaUB(GradientNormalization normalization = GradientNormalization.None) => new(normalization);

    /// <summary>Gradient sign dropout (Chen et al. 2020) on the shared gradients.</summary>
    public static GradDrop GradDrop(double leak = 0.0, int seed = 0) => new(leak, seed);

    /// <summary>PCGrad gradient surgery (Yu et al. 2020).</summary>
    public static PCGrad PCGrad(int seed = 0) => new(seed);

    /// <summary>Conflict-averse gradient descent (Liu et al. 2021) with c = 0.4.</summary>
    public static CAGrad CAGrad(double c = 0.4) => new(c);

    /// <summary>Impartial multi-task learning (Liu et al. 2021): IMTL-L loss scales and the IMTL-G closed form.</summary>
    public static Imtl Imtl(ImtlMode mode = ImtlMode.Hybrid) => new(mode);

    /// <summary>Nash-MTL (Navon et al. 2022): the Nash bargaining combination of the task gradients.</summary>
    public static NashMtl NashMtl(double maxNorm = 1.0) => new(maxNorm);

    /// <summary>Random loss weighting (Lin et al. 2022): softmax of standard normal samples, per step.</summary>
    public static Rlw Rlw(int seed = 0) => new(seed);

    /// <summary>Geometric loss strategy (Chennupati et al. 2019): the geometric mean of the task losses.</summary>
    public static Gls Gls() => new();

    /// <summary>Gradient vaccine (Wang et al. 2021): raises each pair's gradient cosine to a moving target (EMA decay β).</summary>
    public static GradVac GradVac(double beta = 0.5, int seed = 0) => new(beta, seed);

    /// <summary>MoCo (Fernando et al. 2023): MGDA-style weights on tracked (bias-corrected) task gradients.</summary>
    public static MoCo MoCo(double beta = 0.5, double betaSigma = 0.5, double gamma = 0.1, double gammaSigma = 0.5, double rho = 0.0) =>
        new(beta, betaSigma, gamma, gammaSigma, rho);

    /// <summary>Aligned-MTL (Senushkin et al. 2023): aligns the principal components of the task gradients.</summary>
    public static AlignedMtl AlignedMtl() => new();

    /// <summary>DB-MTL (Lin et al. 2023): log losses and moving-average gradients rescaled to the largest norm.</summary>
    public static DbMtl DbMtl(double beta = 0.9, double betaSigma = 0.0) => new(beta, betaSigma);

    /// <summary>ExcessMTL (He et al. 2024): loss weights from estimated excess risks, updated multiplicatively.</summary>
    public static ExcessMtl ExcessMtl(double stepSize = 0.01) => new(stepSize);

    /// <summary>FAMO (Liu et al. 2023): equal rates of log-loss decrease with O(1) cost per step.</summary>
    public static Famo Famo(double learningRate = 0.025, double weightDecay = 0.001) => new(learningRate, weightDecay);

    /// <summary>FairGrad (Ban &amp; Ji 2024): α-fair allocation of the loss decreases.</summary>
    public static FairGrad FairGrad(double alpha = 1.0) => new(alpha);

    /// <summary>MoDo (Chen et al. 2023): one projected step of the min-norm weights per iteration.</summary>
    public static MoDo MoDo(double gamma = 0.001, double rho = 0.1) => new(gamma, rho);

    /// <summary>Random gradient weighting (Lin et al. 2022): RLW's random weights on the task gradients.</summary>
    public static Rgw Rgw(int seed = 0) => new(seed);

    /// <summary>SDMGrad (Xiao et al. 2023): min-norm weights regularised towards the mean gradient.</summary>
    public static SdmGrad SdmGrad(double lambda = 0.3, int iterations = 20) => new(lambda, iterations);

    /// <summary>Smooth Tchebycheff scalarisation (Lin et al. 2024) with smoothing μ after a warm-up.</summary>
    public static Stch Stch(double mu = 1.0, int warmupEpochs = 4) => new(mu, warmupEpochs);

    /// <summary>UPGrad (Quinton &amp; Rey 2024): the sum of each gradient's projection onto the dual cone of all.</summary>
    public static UPGrad UPGrad() => new();

    /// <summary>Every strategy with its defaults, by command-line name (<c>--balancer</c>): the survey's (§3.1, Table V(c)-(d))
    /// and the gradient-based methods since. Contract tests run each on every architecture.</summary>
    public static IReadOnlyDictionary<string, ILossBalancer> All { get; } = new Dictionary<string, ILossBalancer>
    {
        ["uniform"] = FixedWeights(),
        ["uncertainty"] = Uncertainty(),
        ["gradnorm"] = GradNorm(),
        ["dwa"] = Dwa(),
        ["dtp"] = Dtp(),
        ["mgda"] = Mgda(),
        ["mgda-ub"] = MgdaUB(),
        ["graddrop"] = GradDrop(),
        ["pcgrad"] = PCGrad(),
        ["cagrad"] = CAGrad(),
        ["imtl"] = Imtl(),
        ["nash-mtl"] = NashMtl(),
        ["rlw"] = Rlw(),
        ["gls"] = Gls(),
        ["gradvac"] = GradVac(),
        ["moco"] = MoCo(),
        ["aligned-mtl"] = AlignedMtl(),
        ["db-mtl"] = DbMtl(),
        ["excess-mtl"] = ExcessMtl(),
        ["famo"] = Famo(),
        ["fairgrad"] = FairGrad(),
        ["modo"] = MoDo(),
        ["rgw"] = Rgw(),
        ["sdmgrad"] = SdmGrad(),
        ["stch"] = Stch(),
        ["upgrad"] = UPGrad(),
    };

    /// <summary>The default spec registered under <paramref name="name"/> in <see cref="All"/>; the error lists the names.</summary>
    public static ILossBalancer FromName(string name) =>
        All.TryGetValue(name.Trim().ToLowerInvariant(), out var balancer)
            ? balancer
            : throw new ArgumentException($"Unknown balancer '{name}'; known: {string.Join(", ", All.Keys)}.", nameof(name));
}
