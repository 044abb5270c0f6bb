using static TorchSharp.torch;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Spec of <see cref="CrossStitchModule"/> (survey §2.2.1): cross-stitch units after every stage of one staged
/// backbone per task, one <paramref name="Head"/> per task (the survey code: DeepLab's ASPP head, <see cref="MtlNotebooks.Heads.DeepLab"/>).</summary>
public sealed record CrossStitch(IHead Head, CrossStitchOptions Options) : TowerFusion(Head)
{
    /// <summary>The survey code's unit initialisation for a data set, by its name (e.g. a preset's <c>Name</c>): PASCAL
    /// α 0.8, β 0.05; NYUD (and others) α 0.9, β 0.1.</summary>
    public static (double Alpha, double Beta) SurveyInitialisation(string dataSet)
    {
        ArgumentNullException.ThrowIfNull(dataSet);
        return dataSet.Contains("pascal", StringComparison.OrdinalIgnoreCase) ? (0.8, 0.05) : (0.9, 0.1);
    }

    public override string Name => $"CrossStitch(α {Options.Alpha:0.###}, β {Options.Beta:0.###})";

    public override IEnumerable<string> Validate(ArchitectureContext context) =>
        TowerChecks.Validate("UseArchitecture(CrossStitch)", "a cross-stitch unit mixes the task towers after every stage",
            context, Head, Options.FusionLearningRateScale);

    private protected override bool StartsFromSingleTask => Options.StartFromSingleTask;

    private protected override TaskTowersModule CreateModule(IReadOnlyDictionary<string, (Backbone Backbone, nn.Module<FeatureMaps, Tensor> Head)> towers) =>
        new CrossStitchModule(towers, Options);
}
