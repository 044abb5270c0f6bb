using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>NDDR-CNN (Gao et al. 2019; survey §2.2.2): one backbone per task and an NDDR layer after the stem and after every
/// stage (the survey code's stages <c>conv</c>, <c>layer1_without_conv</c>, <c>layer2</c>…), one head per task. Keys equal
/// the survey code's (<c>nddr.{stage}.layer.{task}.0.weight</c>).</summary>
public sealed class NddrCnnModule : TaskTowersModule
{
    private readonly ModuleDict<NddrLayer> nddr;
    private readonly string[] _stageNames;

    public NddrCnnModule(IReadOnlyDictionary<string, (Backbone Backbone, nn.Module<FeatureMaps, Tensor> Head)> towers, NddrCnnOptions options)
        : base(nameof(NddrCnnModule), towers, options.FusionLearningRateScale)
    {
        var levels = Stages.Levels.Levels;
        _stageNames = ["conv", .. levels.Select((l, s) => CrossStitchModule.StageName(l.Name) + (s == 0 ? "_without_conv" : ""))];
        int[] channels = [Stages.StemChannels, .. levels.Select(l => l.Channels)];
        nddr = new ModuleDict<NddrLayer>();
        for (int s = 0; s < _stageNames.Length; s++)
            nddr.Add(_stageNames[s], new NddrLayer(Tasks, channels[s], options.Alpha, options.Beta, options.Momentum));
        register_module("nddr", nddr);
    }

    /// <summary>The layer after the stem (0) or after stage <paramref name="index"/> − 1.</summary>
    public NddrLayer Layer(int index) => nddr[_stageNames[index]];

    public override TaskOutputs forward(Tensor image)
    {
        IReadOnlyDictionary<string, Tensor> x = nddr[_stageNames[0]].call(RunStem(image));
        var outputs = new List<Dictionary<string, Tensor>>();
        for (int s = 0; s + 1 < _stageNames.Length; s++)
        {
            var fused = nddr[_stageNames[s + 1]].call(RunStage(s, x, withStem: false));
            outputs.Add(fused);
            x = fused;
        }
        return Heads(image, outputs);
    }

    protected override IReadOnlyList<Parameter> FusionParameters() => nddr.parameters().ToArray();

    protected override IReadOnlyList<Parameter> LastFusionParameters() => nddr[_stageNames[^1]].parameters().ToArray();
}
