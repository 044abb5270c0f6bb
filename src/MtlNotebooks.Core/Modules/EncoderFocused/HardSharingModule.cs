using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Modules.Heads;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Hard parameter sharing (survey §2.1, the "MTL baseline" of Table V): one shared encoder, one head per
/// task. Every task's gradient flows into the shared encoder.</summary>
public sealed class HardSharingModule : MultiTaskNet, MtlNotebooks.Weights.IReferenceKeys
{
    private static readonly Lazy<MtlNotebooks.Weights.KeyMap> KeyNames = new(() => MtlNotebooks.Weights.KeyMap.Load("survey-hard-sharing", "the survey code's MultiTaskModel"));

    /// <summary>Our keys under the survey code's MultiTaskModel's names (Weights/KeyMaps/survey-hard-sharing.tsv).</summary>
    public MtlNotebooks.Weights.KeyMap ReferenceKeys => KeyNames.Value;

    private readonly Backbone backbone;
    private readonly ModuleDict<nn.Module<FeatureMaps, Tensor>> heads;

    public HardSharingModule(Backbone backbone, IReadOnlyDictionary<string, nn.Module<FeatureMaps, Tensor>> heads)
        : base(nameof(HardSharingModule), heads.Keys.ToArray())
    {
        this.backbone = backbone;
        this.heads = new ModuleDict<nn.Module<FeatureMaps, Tensor>>();
        foreach (var task in Tasks) this.heads.Add(task, heads[task]);
        RegisterComponents();
    }

    public override TaskOutputs forward(Tensor image)
    {
        var features = backbone.call(image);
        return TaskOutputs.From(Tasks, task => Resize.To(heads[task].call(features), image.shape[2], image.shape[3]));
    }
}
