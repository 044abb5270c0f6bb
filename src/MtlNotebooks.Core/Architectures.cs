using MtlNotebooks.Modules.DecoderFocused;
using MtlNotebooks.Modules.Baselines;
using MtlNotebooks.Modules.EncoderFocused;
using MtlNotebooks.Modules.SingleTasking;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Architecture factory. One slot (<see cref="MultiTaskNetBuilder.UseArchitecture"/>) covers the survey's
/// whole taxonomy: baselines, encoder-focused and decoder-focused designs, single-tasking.</summary>
public static class Architectures
{
    /// <summary>Shared encoder, one head per task (survey §2.1; the "MTL baseline" of Table V). The default.</summary>
    public static HardSharing HardSharing(IHead? head = null) => new(head ?? Heads.Conv());

    /// <summary>Cross-stitch networks (survey §2.2.1): one staged backbone per task, a cross-stitch unit after every stage
    /// (per-channel weights initialised <paramref name="alpha"/> on the diagonal, <paramref name="beta"/> off it; the survey code:
    /// NYUD 0.9/0.1, PASCAL 0.8/0.05, see <see cref="CrossStitch.SurveyInitialisation"/>), trained at
    /// <paramref name="fusionLearningRateScale"/>× the rate. With <paramref name="startFromSingleTask"/> an experiment starts the towers and
    /// heads from its trained single-task baselines (<see cref="INeedsTrainedBaselines.AfterBaselines"/>), as the survey code does; by hand:
    /// <see cref="TaskTowersModule.InitialiseFromSingleTask(MultiTaskNet)"/>.</summary>
    public static CrossStitch CrossStitch(IHead? head = null, double alpha = 0.9, double beta = 0.1, double fusionLearningRateScale = 100,
        bool startFromSingleTask = true) =>
        new(head ?? Heads.Conv(), new CrossStitchOptions(alpha, beta, fusionLearningRateScale, startFromSingleTask));

    /// <summary>NDDR-CNN (survey §2.2.2): one staged backbone per task, an NDDR layer (1x1 conv T·C → C initialised α·I/β·I,
    /// BN with momentum 0.05, ReLU) per task after the stem and every stage, trained at <paramref name="fusionLearningRateScale"/>× the rate;
    /// towers and heads start from an experiment's trained single-task baselines with <paramref name="startFromSingleTask"/>, as for cross-stitch.</summary>
    public static NddrCnn NddrCnn(IHead? head = null, double alpha = 0.9, double beta = 0.1, double fusionLearningRateScale = 100,
        bool startFromSingleTask = true) =>
        new(head ?? Heads.Conv(), new NddrCnnOptions(alpha, beta, fusionLearningRateScale, StartFromSingleTask: startFromSingleTask));

    /// <summary>MTAN (survey §2.2.3): one shared staged backbone with a task attention mask over each stage's last block and
    /// shared refinement blocks between stages. Needs at least two blocks per stage.</summary>
    public static Mtan Mtan(IHead? head = null) => new(head ?? Heads.Conv());

    /// <summary>A branched multi-task network (survey §2.2.4; Vandenhende et al., BMVC 2020): the stages of a staged backbone shared by
    /// the groups of <paramref name="tree"/> (<see cref="TaskTree.Shared"/> is hard sharing, <see cref="TaskTree.Separate"/> the
    /// single-task networks), one head per task.</summary>
    public static Branched Branched(TaskTree tree, IHead? head = null) => new(head ?? Heads.Conv(), tree);

    /// <summary>A branched network whose tree comes from trained single-task networks: RSA task affinity at every stage output, then
    /// the least dissimilar tree within <paramref name="budgetFraction"/> of the way from hard sharing's parameter count (0) to the
    /// single-task networks' (1). An experiment resolves it after training its baselines (<see cref="INeedsTrainedBaselines.AfterBaselines"/>).</summary>
    public static BranchedSearch BranchedSearch(double budgetFraction = 0.5, int probeImages = 32, IHead? head = null) =>
        new(head ?? Heads.Conv(), budgetFraction, probeImages);

    /// <summary>One full network per task: the single-task baselines of Δm.</summary>
    public static SingleTask SingleTask(IHead? head = null) => new(head ?? Heads.Conv());

    /// <summary>MTI-Net (decoder-focused, survey §2.3.4): per-scale initial predictions, distillation and feature
    /// propagation, aggregation at 1/4. Omitted arguments take the paper's choices: spatial attention, the FPM
    /// (<see cref="FeaturePropagations.Fpm"/>), every backbone level. <c>propagation: FeaturePropagations.None()</c> is
    /// Table 2's "w/o FPM".</summary>
    public static MtiNet MtiNet(IDistillationUnit? distillation = null, IFeaturePropagation? propagation = null, int? scales = null) =>
        new(distillation ?? DistillationUnits.SpatialAttention(), propagation ?? FeaturePropagations.Fpm(), scales);

    /// <summary>PAD-Net (decoder-focused, survey §2.3.1): initial predictions at 1/4, multi-modal distillation, final heads.</summary>
    /// <summary>InvPT (Ye &amp; Xu, ECCV 2022): an inverted pyramid of UP-Transformer blocks that attend across all tasks' tokens,
    /// passing attention scores from scale to scale, after a preliminary decoder and prediction per task (deep
    /// supervision). The official configurations use E = 512 and 64 prediction channels on ViT-L/16 (<see cref="Backbones.VitLarge"/>).</summary>
    public static InvPT InvPT(int embedDim = 512, int predictionChannels = 64, int heads = 2) => new(embedDim, predictionChannels, heads);

    /// <summary>TaskPrompter (Ye &amp; Xu, ICLR 2023): one learned prompt per task carried through every block of a plain ViT beside the
    /// patch tokens; each task's features are read from its prompt's spatial and channel affinities at three tapped blocks and the
    /// output, optionally mixed across tasks by the prompts' affinities (cross-task reweighting), and decoded by a conv head per task.
    /// Defaults are the official PASCAL-Context ViT-L configuration; NYUD's is <c>TaskPrompter(768, 768, 16, false)</c>.</summary>
    public static TaskPrompter TaskPrompter(int embedDim = 300, int finalEmbedDim = 350, int channelHeads = 1, bool crossTaskReweighting = true) =>
        new(embedDim, finalEmbedDim, channelHeads, crossTaskReweighting);

    public static PadNet PadNet(IDistillationUnit? distillation = null, int? channels = null) =>
        new(distillation ?? DistillationUnits.SpatialAttention(), channels);

    /// <summary>PAP-Net (survey §2.3.2): the PAD-Net structure with affinity-based recursive propagation as distillation.</summary>
    public static PapNet PapNet(int? channels = null, int steps = 2) => new(channels, steps);

    /// <summary>JTRL (survey §2.3.3), generalised from its two tasks: sequential task refinement at every scale, the refined
    /// states carried from coarse to fine. Built on the MTI-Net skeleton (initial predictions per scale, aggregation).</summary>
    public static Jtrl Jtrl(int? scales = null) => new(scales);

    /// <summary>ASTMT (single-tasking, survey §2.4; Maninis et al. 2019): one network run once per task, with task-specific
    /// SE modulation in the encoder and decoder, residual adapters, per-task batch norm and an adversarial discriminator on
    /// the tasks' gradients, trained one task per optimiser step. Needs an SE-ResNet (<see cref="Backbones.SEResNet26"/>,
    /// 50, 101) or MobileNet-V2 backbone. The defaults are the official code's full model; every switch is a row of Table 3.</summary>
    public static Astmt Astmt(bool encoderSqueeze = true, bool decoderSqueeze = true, bool adapters = true, bool taskBatchNorm = true,
        bool adversarial = true, double discriminatorWeight = 0.01, bool stepPerTask = true, int decoderWidth = 64, int discriminatorKernel = 1,
        double reversalScale = 1) =>
        new(encoderSqueeze, decoderSqueeze, adapters, taskBatchNorm, adversarial, discriminatorWeight, stepPerTask, decoderWidth,
            DiscriminatorKernel: discriminatorKernel, ReversalScale: reversalScale);

    /// <summary>ASTMT's rows of Table 3 by name (PASCAL, R-26): the multi-task baseline, each modulation, adversarial training
    /// and their combinations, and the single-task baselines (#T = 1) they are measured against.</summary>
    public static IReadOnlyDictionary<string, Astmt> AstmtTable3 { get; } = new Dictionary<string, Astmt>
    {
        ["astmt-single-task"] = new(false, false, false, Adversarial: false, SingleTask: true),
        ["astmt-baseline"] = new(false, false, false, Adversarial: false),
        ["astmt-adapters"] = new(false, false, Adapters: true, Adversarial: false),
        ["astmt-se"] = new(true, true, false, Adversarial: false),
        ["astmt-se-decoder"] = new(false, true, false, Adversarial: false),
        ["astmt-adversarial"] = new(false, false, false, Adversarial: true),
        ["astmt-se-adversarial"] = new(true, true, false, Adversarial: true),
        ["astmt"] = new(),
    };

    /// <summary>The architectures the CLI can name (<c>--architecture</c>), with their defaults.</summary>
    public static IReadOnlyDictionary<string, IArchitecture> All { get; } = new Dictionary<string, IArchitecture>
    {
        ["single-task"] = SingleTask(),
        ["hard-sharing"] = HardSharing(),
        ["cross-stitch"] = CrossStitch(),
        ["nddr-cnn"] = NddrCnn(),
        ["mtan"] = Mtan(),
        ["branched"] = BranchedSearch(),
        ["pad-net"] = PadNet(),
        ["pap-net"] = PapNet(),
        ["jtrl"] = Jtrl(),
        ["mti-net"] = MtiNet(),
        ["invpt"] = InvPT(embedDim: 16, predictionChannels: 8),
        ["taskprompter"] = TaskPrompter(embedDim: 16, finalEmbedDim: 24, channelHeads: 4),
        ["mti-net-without-fpm"] = MtiNet(propagation: FeaturePropagations.None()),
        ["astmt"] = AstmtTable3["astmt"],
        ["astmt-baseline"] = AstmtTable3["astmt-baseline"],
        ["astmt-adapters"] = AstmtTable3["astmt-adapters"],
        ["astmt-se"] = AstmtTable3["astmt-se"],
        ["astmt-se-decoder"] = AstmtTable3["astmt-se-decoder"],
        ["astmt-adversarial"] = AstmtTable3["astmt-adversarial"],
        ["astmt-se-adversarial"] = AstmtTable3["astmt-se-adversarial"],
        ["astmt-single-task"] = AstmtTable3["astmt-single-task"],
    };
}
