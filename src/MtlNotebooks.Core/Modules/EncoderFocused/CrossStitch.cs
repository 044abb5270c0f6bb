namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Spec of <see cref="CrossStitchModule"/> (survey §2.2.1): cross-stitch units after every stage of one staged
/// backbone per task, one <paramref name="Head"/> per task (the survey code: DeepLab's ASPP head, <see cref="MtlNotebooks.Heads.DeepLab"/>).</summary>
public sealed record CrossStitch(IHead Head, CrossStitchOptions Options) : IHeadedArchitecture, INeedsTrainedBaselines
{
    /// <summary>The survey code's unit initialisation for a data set, by its name (e.g. a preset's <c>Name</c>): PASCAL
    /// α 0.8, β 0.05; NYUD (and others) α 0.9, β 0.1.</summary>
    public static (double Alpha, double Beta) SurveyInitialisation(string dataSet)
    {
        ArgumentNullException.ThrowIfNull(dataSet);
        return dataSet.Contains("pascal", StringComparison.OrdinalIgnoreCase) ? (0.8, 0.05) : (0.9, 0.1);
    }

    public string Name => $"CrossStitch(α {Options.Alpha:0.###}, β {Options.Beta:0.###})";

    public IArchitecture WithHead(IHead head) => this with { Head = head };

    public IEnumerable<string> Validate(ArchitectureContext context) =>
        TowerChecks.Validate("UseArchitecture(CrossStitch)", "a cross-stitch unit mixes the task towers after every stage",
            context, Head, Options.FusionLearningRateScale);

    /// <summary>The trained single-task networks the towers and heads start from; null starts them from their own
    /// initialisation. An experiment sets it after training its baselines when <c>Options.StartFromSingleTask</c>.</summary>
    public SingleTaskWeights? Start { get; init; }

    /// <summary>With <c>Options.StartFromSingleTask</c>, this architecture starting from the trained <paramref name="baselines"/>
    /// (backbone + head per task), as the survey code does.</summary>
    public IArchitecture AfterBaselines(MultiTaskNet baselines, TorchSharp.torch.Tensor images) =>
        Options.StartFromSingleTask ? this with { Start = SingleTaskWeights.From(baselines) } : this;

    public MultiTaskNet Create(ArchitectureContext context)
    {
        var network = new CrossStitchModule(TowerChecks.Towers(context, Head), Options);
        if (Start is not null) network.InitialiseFromSingleTask(Start.PerTask);
        return network;
    }
}
