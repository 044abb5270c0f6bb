using MtlNotebooks.Tasks.Losses;
using MtlNotebooks.Tasks.Metrics;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MtlNotebooks.Tasks;

/// <summary>Semantic segmentation: <paramref name="Classes"/> logits per pixel; labels are class indices
/// [B, H, W] (int64) with <paramref name="IgnoreIndex"/> for unlabelled pixels. Loss: cross-entropy; metrics:
/// mIoU (primary), pixel accuracy.</summary>
public sealed record SemanticSegmentation(int Classes, int IgnoreIndex = 255, string Name = "semseg") : IDenseTask
{
    public int OutputChannels => Classes;
    public ITaskLoss Loss => new CrossEntropyLoss(IgnoreIndex);
    public IReadOnlyList<ITaskMetric> Metrics => [new MeanIoU(Classes, IgnoreIndex), new PixelAccuracy(Classes, IgnoreIndex)];
    public Tensor Activate(Tensor output) => output.argmax(1);

    public IEnumerable<string> Validate()
    {
        if (Classes < 2) yield return $"task '{Name}': a segmentation needs at least 2 classes, got {Classes}.";
        if (IgnoreIndex >= 0 && IgnoreIndex < Classes) yield return $"task '{Name}': IgnoreIndex {IgnoreIndex} is a valid class index (0..{Classes - 1}); use 255.";
    }
}

/// <summary>Monocular depth: 1 channel; labels [B, 1, H, W] in metres (or scene units), 0 where invalid.
/// Loss: L1 on valid pixels; metrics: RMSE (primary, survey Table V(a)), log RMSE, abs rel, δ&lt;1.25, δ&lt;1.25², δ&lt;1.25³,
/// all pooled over the valid pixels of the split.</summary>
public sealed record Depth(string Name = "depth") : IDenseTask
{
    public int OutputChannels => 1;
    public ITaskLoss Loss => new MaskedL1Loss();
    public IReadOnlyList<ITaskMetric> Metrics =>
    [
        new Rmse(), new DepthError(DepthStatistic.LogRmse), new DepthError(DepthStatistic.AbsRel),
        new DepthError(DepthStatistic.Delta1), new DepthError(DepthStatistic.Delta2), new DepthError(DepthStatistic.Delta3),
    ];
    public Tensor Activate(Tensor output) => output;
}

/// <summary>Surface normals: 3 channels; labels [B, 3, H, W] unit vectors, zero where invalid.
/// Loss: L1 on unit vectors; metrics: mean angular error in degrees (primary, "mErr"), median, and the % of pixels
/// within 11.25°, 22.5° and 30° (the references' eval_normals).</summary>
public sealed record SurfaceNormals(string Name = "normals") : IDenseTask
{
    public int OutputChannels => 3;
    public ITaskLoss Loss => new NormalsL1Loss();
    public IReadOnlyList<ITaskMetric> Metrics =>
        [new MeanAngularError(), new MedianAngularError(), new AngleWithin(11.25), new AngleWithin(22.5), new AngleWithin(30)];
    public Tensor Activate(Tensor output) => F.normalize(output, p: 2, dim: 1);
}
