using MtlNotebooks.Tasks.Losses;
using MtlNotebooks.Tasks.Metrics;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks;

/// <summary>Human part segmentation: <paramref name="Parts"/> logits per pixel, background included (PASCAL-Context:
/// 7 = background + head, torso, upper/lower arms, upper/lower legs, the references' 6-part grouping); labels are
/// part indices [B, H, W] (int64), <paramref name="IgnoreIndex"/> unlabelled. Loss: cross-entropy (ignore 255), as
/// the references' log-softmax + NLL; metric: mIoU over the images that contain people (<see cref="PartsMeanIoU"/>).</summary>
public sealed record HumanParts(int Parts = 7, int IgnoreIndex = 255, string Name = "human_parts") : IDenseTask
{
    public TaskLabelShape Label => TaskLabelShape.Classes;

    public int OutputChannels => Parts;
    public ITaskLoss Loss => new CrossEntropyLoss(IgnoreIndex);
    public IReadOnlyList<ITaskMetric> Metrics => [new PartsMeanIoU(Parts, IgnoreIndex)];
    public Tensor Activate(Tensor output) => output.argmax(1);

    public IEnumerable<string> Validate()
    {
        if (Parts < 2) yield return $"task '{Name}': human parts need at least 2 classes (background and one part), got {Parts}.";
        if (IgnoreIndex >= 0 && IgnoreIndex < Parts) yield return $"task '{Name}': IgnoreIndex {IgnoreIndex} is a valid part index (0..{Parts - 1}); use 255.";
    }
}
