using MtlNotebooks.Checks;

namespace MtlNotebooks;

/// <summary>Checks that a backbone, head, distillation unit, feature propagation or loss balancer keeps the contract the architectures
/// rely on, by creating it in a small context and running it: a forward in training mode, a backward (every trainable
/// parameter must get a gradient), the same forward in evaluation mode without gradients, and the output shapes and
/// values. Each <c>Check</c> returns the problems in plain words; an empty list means the component conforms. Run it on a
/// component of your own before handing it to the builder (the way timm runs every model through one test suite).
/// Checking leaves the global random number generator as it found it.</summary>
public static class Contracts
{
    /// <summary>The task a head is checked for when no context is given.</summary>
    private const string DefaultTask = "task";

    /// <summary>Levels a head or a feature propagation is checked on when no context is given: four levels at strides 4 to 32,
    /// as most multi-scale backbones.</summary>
    private static FeatureInfo DefaultFeatures { get; } = new([
        new FeatureLevel("layer1", 8, 4), new FeatureLevel("layer2", 16, 8), new FeatureLevel("layer3", 32, 16), new FeatureLevel("layer4", 64, 32)]);

    /// <summary>Checks <paramref name="backbone"/>: <c>Validate()</c> accepts it; the module it creates publishes the same
    /// levels as the spec; its forward returns, for a batch of two random images, one map per declared level, finest first,
    /// with the declared channels at the declared stride, all finite; every trainable parameter gets a gradient.</summary>
    /// <param name="backbone">The spec to check; its module is created, run and disposed.</param>
    /// <param name="imageSize">Height of the test images (their width is one coarsest stride more, so that height and width
    /// differ); rounded up to a multiple of the coarsest declared stride.</param>
    public static IReadOnlyList<string> Check(IBackbone backbone, int imageSize = 64)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        return BackboneContract.Check(backbone, imageSize);
    }

    /// <summary>Checks <paramref name="head"/>: <c>Validate(context)</c> accepts it; its module turns random feature maps of
    /// the context's levels (a batch of two) into [2, OutputChannels, h, w], where h×w is the size of one of the levels
    /// (the finest for most heads; architectures resize the output to the input), all finite; every trainable parameter
    /// gets a gradient.</summary>
    /// <param name="head">The spec to check; its module is created, run and disposed.</param>
    /// <param name="context">The task and levels to check for; null: task "task" with 3 output channels on four levels of
    /// 8, 16, 32 and 64 channels at strides 4, 8, 16 and 32. Pass your backbone's <see cref="IBackbone.Features"/> to
    /// check the pair.</param>
    /// <param name="imageSize">Height of the image the feature maps stand for (their width is one coarsest stride more);
    /// rounded up to a multiple of the coarsest stride.</param>
    public static IReadOnlyList<string> Check(IHead head, HeadContext? context = null, int imageSize = 64)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        return HeadContract.Check(head, context ?? new HeadContext(DefaultTask, 3, DefaultFeatures), imageSize);
    }

    /// <summary>Checks <paramref name="unit"/>: <c>Validate(context)</c> accepts it; its module maps random features of every
    /// source task to features of every target task, in the targets' order, each of the shape it came in, all finite;
    /// every trainable parameter gets a gradient.</summary>
    /// <param name="unit">The spec to check; its module is created, run and disposed.</param>
    /// <param name="context">null: sources "semseg", "depth" and the auxiliary "normals", targets "semseg" and "depth",
    /// 8 channels per task at a level of 16 backbone channels at stride 4 (so a unit that reads the level's channels
    /// instead of <see cref="DistillationContext.Channels"/> is caught).</param>
    /// <param name="featureSize">Height of the features (their width is one more).</param>
    public static IReadOnlyList<string> Check(IDistillationUnit unit, DistillationContext? context = null, int featureSize = 8)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureSize, 1);
        context ??= new DistillationContext(["semseg", "depth", "normals"], ["semseg", "depth"], 8, new FeatureLevel("layer1", 16, 4));
        var ctx = context;
        return TaskFeaturesContract.Check($"distillation unit '{unit.Name}'", () => unit.Validate(ctx), () => unit.Create(ctx),
            ctx.Sources, ctx.Targets, ctx.Channels, featureSize);
    }

    /// <summary>Checks <paramref name="propagation"/>: <c>Validate(context)</c> accepts it; its module maps random features of
    /// every task to features of every task, in the same order and of the same shapes, all finite; every trainable
    /// parameter gets a gradient.</summary>
    /// <param name="propagation">The spec to check; its module is created, run and disposed.</param>
    /// <param name="context">null: tasks "semseg", "depth" and "normals", 8 channels each at a level of 16 backbone channels at stride 8.</param>
    /// <param name="featureSize">Height of the features (their width is one more).</param>
    public static IReadOnlyList<string> Check(IFeaturePropagation propagation, PropagationContext? context = null, int featureSize = 8)
    {
        ArgumentNullException.ThrowIfNull(propagation);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureSize, 1);
        if (!propagation.Propagates) return [];   // "w/o FPM": no module, nothing to check
        context ??= new PropagationContext(["semseg", "depth", "normals"], 8, new FeatureLevel("layer2", 16, 8));
        var ctx = context;
        return TaskFeaturesContract.Check($"feature propagation '{propagation.Name}'", () => propagation.Validate(ctx), () => propagation.Create(ctx),
            ctx.Tasks, ctx.Tasks, ctx.Channels, featureSize);
    }

    /// <summary>Checks <paramref name="balancer"/> by training with it on tiny synthetic scenes (semantic segmentation, depth,
    /// normals; a SmallResNet of width 4; 3 epochs of 2 steps): the same run twice gives the same losses and weights step
    /// for step (deterministic under the run's seed); every weight and loss is finite; a run stopped after its first
    /// checkpoints and resumed repeats the uninterrupted run exactly (the balancer's state — buffers, parameters — is in the
    /// checkpoint); and it trains the single-task baselines too, where there is nothing to balance. Takes a few seconds;
    /// the library's own strategies pass it in the tests.</summary>
    public static IReadOnlyList<string> Check(ILossBalancer balancer) => BalancerContract.Check(balancer);
}
