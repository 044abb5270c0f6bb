namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Spec of <see cref="NddrCnnModule"/> (survey §2.2.2): NDDR layers after the stem and every stage of one staged
/// backbone per task, one <paramref name="Head"/> per task (the survey code: <see cref="MtlNotebooks.Heads.DeepLab"/>).</summary>
public sealed record NddrCnn(IHead Head, NddrCnnOptions Options) : IHeadedArchitecture, INeedsTrainedBaselines
{
    public string Name => $"NddrCnn(α {Options.Alpha:0.###}, β {Options.Beta:0.###})";

    public IArchitecture WithHead(IHead head) => this with { Head = head };

    public IEnumerable<string> Validate(ArchitectureContext context)
    {
        const string caller = "UseArchitecture(NddrCnn)";
        foreach (var problem in TowerChecks.Validate(caller, "an NDDR layer fuses the task towers after the stem and every stage",
                     context, Head, Options.FusionLearningRateScale))
            yield return problem;
        if (!(Options.Momentum > 0 && Options.Momentum <= 1)) yield return $"{caller}: momentum must be in (0, 1], got {Options.Momentum}.";
    }

    /// <summary>The trained single-task networks the towers and heads start from; null starts them from their own
    /// initialisation. An experiment sets it after training its baselines when <c>Options.StartFromSingleTask</c>.</summary>
    public SingleTaskWeights? Start { get; init; }

    /// <summary>With <c>Options.StartFromSingleTask</c>, this architecture starting from the trained <paramref name="baselines"/>
    /// (backbone + head per task), as the survey code does.</summary>
    public IArchitecture AfterBaselines(MultiTaskNet baselines, TorchSharp.torch.Tensor images) =>
        Options.StartFromSingleTask ? this with { Start = SingleTaskWeights.From(baselines) } : this;

    public MultiTaskNet Create(ArchitectureContext context)
    {
        var network = new NddrCnnModule(TowerChecks.Towers(context, Head), Options);
        if (Start is not null) network.InitialiseFromSingleTask(Start.PerTask);
        return network;
    }
}
