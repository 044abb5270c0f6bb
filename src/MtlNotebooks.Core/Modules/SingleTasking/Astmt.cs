using MtlNotebooks.Modules.Baselines;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>Spec of <see cref="AstmtModule"/>: attentive single-tasking (ASTMT, Maninis et al. 2019; survey §2.4) on a
/// backbone spec that offers <see cref="IAstmtBackbone"/> (the SE-ResNets with bottlenecks, MobileNet-V2). Every switch is a row of
/// the paper's Table 3 and a flag of the official code; the defaults are the code's full model.</summary>
/// <param name="EncoderSqueeze">Task-specific SE in the encoder: each block's SE is replaced by one per task (<c>seenc</c>).
/// Off: one SE shared by all tasks (the SE-ResNet backbone).</param>
/// <param name="DecoderSqueeze">Task-specific SE after every decoder unit, with per-task batch norm there (<c>sedec</c>).</param>
/// <param name="Adapters">Parallel residual adapters per task beside each bottleneck's 3x3 conv and the decoder's convs (<c>adapt</c>).</param>
/// <param name="TaskBatchNorm">Per-task batch norm in the encoder after the stem (the code does this whenever it trains batch
/// norm, <c>trNorm</c>, so even its multi-task baseline has it). Off: one shared graph.</param>
/// <param name="Adversarial">The discriminator on the tasks' gradients (§4; <c>dscr fconv</c>).</param>
/// <param name="DiscriminatorWeight">w_d in (1 − w_d)·L_task + w_d·L_D. The code uses 0.01 (default); the appendix says 0.1.</param>
/// <param name="StepPerTask">One forward/backward/optimiser step per task per batch, as the paper trains. Off: one step
/// over the sum of the task losses (any balancer applies then).</param>
/// <param name="DecoderWidth">Channels of the decoder (64; the low-level reduction has 48·w/256 = 12).</param>
/// <param name="TaskLearningRateScale">Learning-rate factor of task-specific layers; null = the number of tasks, as the code.</param>
/// <param name="DiscriminatorLearningRateScale">Learning-rate factor of the discriminator (10, as the code).</param>
/// <param name="SingleTask">One separate network per task (T = 1 each): the single-task baseline of Δm (Table 3a, #T = 1).</param>
/// <param name="ReversalScale">Multiplies the reversal weight α of the ramp. 0 trains the discriminator as a probe that
/// does not act on the network: how separable the tasks' gradients are without the adversarial term.</param>
/// <param name="DiscriminatorKernel">Kernel of the discriminator's two convs: 1 in the PASCAL code, 3 in the NYUD code.</param>
public sealed record Astmt(
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
    double ReversalScale = 1) : IArchitecture, ITaskConditional, IOwnSingleTaskBaseline, IPreferredBackbone
{
    public string Name => Options.Name;

    /// <summary>The switches the network is built with (<see cref="AstmtModule.Settings"/>).</summary>
    public AstmtOptions Options => new(EncoderSqueeze, DecoderSqueeze, Adapters, TaskBatchNorm, Adversarial, DiscriminatorWeight,
        StepPerTask, DecoderWidth, TaskLearningRateScale, DiscriminatorLearningRateScale, SingleTask, DiscriminatorKernel, ReversalScale);

    public bool TaskConditional => StepPerTask && !SingleTask;

    /// <summary>Δm is measured against the same network trained for each task alone (eq. 4, Table 3's #T = 1 rows).</summary>
    public IArchitecture SingleTaskBaseline => SingleTask ? this : this with
    {
        EncoderSqueeze = false, DecoderSqueeze = false, Adapters = false, Adversarial = false, SingleTask = true,
    };

    /// <summary>SE-ResNet-26 (ASTMT's small encoder) at width <paramref name="width"/>/64.</summary>
    public IBackbone DefaultBackbone(int width) => MtlNotebooks.Backbones.SEResNet26(width / 64.0);

    public IEnumerable<string> Validate(ArchitectureContext context)
    {
        const string caller = "UseArchitecture(Astmt)";
        if (context.Backbone.Capability<IAstmtBackbone>() is { } encoder)
        {
            foreach (var problem in encoder.ValidateForAstmt(this, caller)) yield return problem;
        }
        else
        {
            yield return $"{caller}: ASTMT rebuilds the backbone as its task-aware encoder (per-task SE, batch norm and adapters in every " +
                         $"block), so the backbone must offer IAstmtBackbone; {context.Backbone.Name} does not. The SE-ResNets with bottlenecks " +
                         "and MobileNet-V2 do: use Backbones.SEResNet26() or Backbones.MobileNetV2().";
        }
        if (!(DiscriminatorWeight >= 0 && DiscriminatorWeight < 1))
            yield return $"{caller}: discriminatorWeight is w_d in (1 − w_d)·L_task + w_d·L_D and must be in [0, 1), got {DiscriminatorWeight}.";
        if (DecoderWidth < 1 || 48 * DecoderWidth % 256 != 0)
            yield return $"{caller}: decoderWidth must be a positive multiple of 16 (the low-level reduction has 48·w/256 channels), got {DecoderWidth}.";
        if (TaskLearningRateScale is { } t && !(t > 0)) yield return $"{caller}: taskLearningRateScale must be > 0, got {t}.";
        if (!(ReversalScale >= 0) || double.IsInfinity(ReversalScale))
            yield return $"{caller}: reversalScale must be finite and >= 0, got {ReversalScale}.";
        if (DiscriminatorKernel < 1 || DiscriminatorKernel % 2 == 0)
            yield return $"{caller}: discriminatorKernel must be odd and >= 1 (1 for PASCAL, 3 for NYUD in the code), got {DiscriminatorKernel}.";
        if (!(DiscriminatorLearningRateScale > 0)) yield return $"{caller}: discriminatorLearningRateScale must be > 0, got {DiscriminatorLearningRateScale}.";
        if (context.AuxiliaryTasks.Count > 0)
            yield return $"{caller}: ASTMT has no auxiliary tasks; remove AddAuxiliaryTask({string.Join(", ", context.AuxiliaryTasks.Select(a => a.Name))}).";
        if (SingleTask && Adversarial)
            yield return $"{caller}: a single-task network has no other task for the discriminator to tell apart; set adversarial: false.";
    }

    public MultiTaskNet Create(ArchitectureContext context)
    {
        var encoder = context.Backbone.Capability<IAstmtBackbone>()
                      ?? throw new ArgumentException($"ASTMT cannot build an encoder from backbone {context.Backbone.Name}: it does not offer IAstmtBackbone.");
        var outputs = context.Tasks.ToDictionary(t => t.Name, t => t.OutputChannels);
        if (SingleTask)
            return new SeparateNetworksModule(outputs.Keys.ToDictionary(t => t, t => (MultiTaskNet)encoder.CreateAstmt(this, new Dictionary<string, int> { [t] = outputs[t] })));
        return encoder.CreateAstmt(this, outputs);
    }
}
