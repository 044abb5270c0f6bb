using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Cross-stitch networks (Misra et al. 2016; survey §2.2.1): one backbone per task, a cross-stitch unit after every
/// stage that mixes the towers' features linearly, one head per task. State-dict keys equal the survey code's
/// (<c>backbone.{task}</c>, <c>heads.{task}</c>, <c>cross_stitch.{stage}.cross_stitch_unit.{i}.{j}.param</c>).</summary>
public sealed class CrossStitchModule : TaskTowersModule
{
    private readonly ModuleDict<CrossStitchUnit> cross_stitch;
    private readonly string[] _stageNames;

    public CrossStitchModule(IReadOnlyDictionary<string, (Backbone Backbone, nn.Module<FeatureMaps, Tensor> Head)> towers, CrossStitchOptions options)
        : base(nameof(CrossStitchModule), towers, options.FusionLearningRateScale)
    {
        _stageNames = Stages.Levels.Levels.Select(l => StageName(l.Name)).ToArray();
        cross_stitch = new ModuleDict<CrossStitchUnit>();
        for (int s = 0; s < _stageNames.Length; s++)
            cross_stitch.Add(_stageNames[s], new CrossStitchUnit(Tasks, Stages.Levels.Levels[s].Channels, options.Alpha, options.Beta));
        register_module("cross_stitch", cross_stitch);
    }

    /// <summary>A level name as a state-dict key (MobileNet-V2's <c>features.3</c> → <c>features_3</c>).</summary>
    internal static string StageName(string level) => level.Replace('.', '_');

    /// <summary>The unit after stage <paramref name="stage"/> (0-based).</summary>
    public CrossStitchUnit Unit(int stage) => cross_stitch[_stageNames[stage]];

    public override TaskOutputs forward(Tensor image)
    {
        IReadOnlyDictionary<string, Tensor> x = Tasks.ToDictionary(t => t, _ => image);
        var outputs = new List<Dictionary<string, Tensor>>();
        for (int s = 0; s < _stageNames.Length; s++)
        {
            var fused = cross_stitch[_stageNames[s]].call(RunStage(s, x));
            outputs.Add(fused);
            x = fused;
        }
        return Heads(image, outputs);
    }

    protected override IReadOnlyList<Parameter> FusionParameters() => cross_stitch.parameters().ToArray();

    protected override IReadOnlyList<Parameter> LastFusionParameters() => cross_stitch[_stageNames[^1]].parameters().ToArray();
}
