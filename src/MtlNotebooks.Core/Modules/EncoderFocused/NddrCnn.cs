using static TorchSharp.torch;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Spec of <see cref="NddrCnnModule"/> (survey §2.2.2): NDDR layers after the stem and every stage of one staged
/// backbone per task, one <paramref name="Head"/> per task (the survey code: <see cref="MtlNotebooks.Heads.DeepLab"/>).</summary>
public sealed record NddrCnn(IHead Head, NddrCnnOptions Options) : TowerFusion(Head)
{
    public override string Name => $"NddrCnn(α {Options.Alpha:0.###}, β {Options.Beta:0.###})";

    public override IEnumerable<string> Validate(ArchitectureContext context)
    {
        const string caller = "UseArchitecture(NddrCnn)";
        foreach (var problem in TowerChecks.Validate(caller, "an NDDR layer fuses the task towers after the stem and every stage",
                     context, Head, Options.FusionLearningRateScale))
            yield return problem;
        if (!(Options.Momentum > 0 && Options.Momentum <= 1)) yield return $"{caller}: momentum must be in (0, 1], got {Options.Momentum}.";
    }

    private protected override bool StartsFromSingleTask => Options.StartFromSingleTask;

    private protected override TaskTowersModule CreateModule(IReadOnlyDictionary<string, (Backbone Backbone, nn.Module<FeatureMaps, Tensor> Head)> towers) =>
        new NddrCnnModule(towers, Options);
}
