namespace MtlNotebooks;

/// <summary>A backbone that can start from a weight file instead of random weights: ImageNet weights, as the papers
/// start every encoder, or a backbone trained elsewhere (the authors' code under its distributed launcher, an earlier
/// run). Asked for as a capability (<see cref="IBackbone.Capability{T}"/>), so a backbone of your own takes part by
/// implementing it; the CLI's <c>--weights</c> does.</summary>
public interface IPretrainableBackbone
{
    /// <summary>The state-dict file loaded into the module when it is created; null for random initialisation.</summary>
    string? Weights { get; }

    /// <summary>The same backbone, loading <paramref name="path"/> (a torch.save .pth or checkpoint, .safetensors,
    /// TorchSharp's .dat) when its module is created; a file that does not fit is refused then, every missing,
    /// unexpected and wrong-shape key listed.</summary>
    IBackbone WithWeights(string path);
}
