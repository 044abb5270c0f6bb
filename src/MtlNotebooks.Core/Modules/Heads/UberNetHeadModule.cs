using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.Heads;

/// <summary>UberNet's task heads (Kokkinos, CVPR 2017): a linear (1x1 conv) classifier on every level, the predictions
/// upsampled to the finest stride and summed. The lightest head: all capacity stays in the shared backbone.</summary>
public sealed class UberNetHeadModule : Module<FeatureMaps, Tensor>
{
    private readonly ModuleList<Conv2d> classifiers;

    public UberNetHeadModule(FeatureInfo features, int outputChannels) : base(nameof(UberNetHeadModule))
    {
        classifiers = new ModuleList<Conv2d>();
        foreach (var level in features.Levels) classifiers.Add(Ops.Conv2d(level.Channels, outputChannels, 1));
        RegisterComponents();
    }

    public override Tensor forward(FeatureMaps features)
    {
        var finest = features.Finest;
        return features.Select((map, i) => Resize.To(classifiers[i].call(map), finest.shape[2], finest.shape[3])).Aggregate((a, b) => a.add(b, One));
    }
}
