using static TorchSharp.torch;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>An architecture that becomes its final form only once an experiment's single-task baselines are trained: the
/// branched search derives its tree from them (survey §2.2.4), cross-stitch and NDDR-CNN start their towers from them, as
/// the survey code does. The experiment code asks for this capability; architectures fixed in advance do not have it.</summary>
public interface INeedsTrainedBaselines
{
    /// <summary>The architecture to train, given the trained <paramref name="baselines"/> (backbone + head per task) and
    /// probe <paramref name="images"/> [K, 3, H, W].</summary>
    IArchitecture AfterBaselines(MultiTaskNet baselines, Tensor images);
}
