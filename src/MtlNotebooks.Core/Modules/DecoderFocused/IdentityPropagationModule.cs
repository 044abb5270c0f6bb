using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Carries every task's features unchanged to the next finer scale (JTRL's recursion, without MTI-Net's FPM).</summary>
public sealed class IdentityPropagationModule() : Module<TaskFeatures, TaskFeatures>("IdentityPropagation")
{
    public override TaskFeatures forward(TaskFeatures features) => features;
}
