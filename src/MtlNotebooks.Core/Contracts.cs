using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

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
        string owner = $"backbone '{backbone.Name}'";
        var problems = new List<string>();
        var declared = Guard(problems, owner, "Features", () => backbone.Features);
        if (declared is null) return problems;
        var invalid = Guard(problems, owner, "Validate()", () => backbone.Validate().ToArray());
        if (invalid is null) return problems;
        if (invalid.Length > 0) return [.. invalid.Select(p => $"{owner} does not validate: {p}")];

        int stride = declared.Levels.Max(l => l.Stride);
        if (stride < 1) return [$"{owner} declares a stride below 1 ({declared}); a stride is input size / map size, at least 1."];
        long height = (imageSize + stride - 1) / stride * stride, width = height + stride;
        return Isolated(() =>
        {
            using var scope = NewDisposeScope();
            using var module = Guard(problems, owner, "Create()", backbone.Create);
            if (module is null) return problems;
            CheckModuleFeatures(owner, declared, module, problems);
            if (backbone.Capability<IStagedBackbone>() is { } staged) StagedBackboneContract.Check(owner, staged, module, height, width, problems);
            if (problems.Count > 0) return problems;
            Exercise(problems, owner, module,
                generator => randn([2, 3, height, width], generator: generator),
                (maps, mode) => CompareMaps(owner, declared, maps, 2, height, width, $"a batch of 2 random {height}×{width} images{mode}"),
                maps => maps);
            return problems;
        });
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
        context ??= new HeadContext(DefaultTask, 3, DefaultFeatures);
        string owner = $"head '{head.Name}' for task '{context.Task}'";
        var problems = new List<string>();
        var invalid = Guard(problems, owner, "Validate()", () => head.Validate(context).ToArray());
        if (invalid is null) return problems;
        if (invalid.Length > 0) return [.. invalid.Select(p => $"{owner} does not accept its context ({context.Features}): {p}")];

        var levels = context.Features.Levels;
        int stride = levels.Max(l => l.Stride);
        long height = (imageSize + stride - 1) / stride * stride, width = height + stride;
        var sizes = levels.Select(l => (Level: l, Height: height / l.Stride, Width: width / l.Stride)).ToArray();
        return Isolated(() =>
        {
            using var scope = NewDisposeScope();
            using var module = Guard(problems, owner, "Create()", () => head.Create(context));
            if (module is null) return problems;
            Exercise(problems, owner, module,
                generator => new FeatureMaps(sizes.Select(s => randn([2, s.Level.Channels, s.Height, s.Width], generator: generator))),
                (output, mode) =>
                {
                    string what = $"for feature maps of a batch of 2 {height}×{width} images{mode}";
                    if (output is null) return [$"{owner} returned null {what}."];
                    var shape = output.shape;
                    string expected = $"expected [2, {context.OutputChannels}, h, w] with h×w the size of one of the levels " +
                                      $"({string.Join(", ", sizes.Select(s => $"{s.Height}×{s.Width} at stride {s.Level.Stride}"))})";
                    if (shape.Length != 4 || shape[0] != 2 || shape[1] != context.OutputChannels ||
                        !sizes.Any(s => s.Height == shape[2] && s.Width == shape[3]))
                        return [$"{owner} returned {Shape(output)} {what}; {expected}."];
                    return NonFinite(output) ? [$"{owner} returned NaN or infinite values {what}."] : [];
                },
                output => output is null ? [] : [output]);
            return problems;
        });
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
        return CheckTaskFeatures($"distillation unit '{unit.Name}'", () => unit.Validate(ctx), () => unit.Create(ctx),
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
        return CheckTaskFeatures($"feature propagation '{propagation.Name}'", () => propagation.Validate(ctx), () => propagation.Create(ctx),
            ctx.Tasks, ctx.Tasks, ctx.Channels, featureSize);
    }

    /// <summary>Checks <paramref name="balancer"/> by training with it on tiny synthetic scenes (semantic segmentation, depth,
    /// normals; a SmallResNet of width 4; 3 epochs of 2 steps): the same run twice gives the same losses and weights step
    /// for step (deterministic under the run's seed); every weight and loss is finite; a run stopped after its first
    /// checkpoints and resumed repeats the uninterrupted run exactly (the balancer's state — buffers, parameters — is in the
    /// checkpoint); and it trains the single-task baselines too, where there is nothing to balance. Takes a few seconds;
    /// the library's own strategies pass it in the tests.</summary>
    public static IReadOnlyList<string> Check(ILossBalancer balancer) => BalancerContract.Check(balancer);

    /// <summary>What <see cref="MultiTaskNetBuilder.Build"/> checks on the first module created from the user's backbone:
    /// its levels equal the spec's, and one forward of a zero image (batch 1, evaluation mode, no gradients, a side of at
    /// least two coarsest strides) returns the declared channels at the declared strides. The module's weights, buffers,
    /// training flags and the global random number generator are left as they were; the probe's tensors are freed.</summary>
    /// <param name="spec">The spec the module was created from.</param>
    /// <param name="module">The module to probe.</param>
    /// <param name="trustLibraryModules">Skip the forward when every backbone module in <paramref name="module"/>'s tree is
    /// one of this library's (their maps are checked against their levels by the contract tests over
    /// <see cref="Backbones.All"/>); the spec's levels are still compared with the module's.</param>
    internal static IReadOnlyList<string> Probe(IBackbone spec, Backbone module, bool trustLibraryModules = false)
    {
        string owner = $"backbone '{spec.Name}'";
        var declared = spec.Features;
        var problems = new List<string>();
        CheckModuleFeatures(owner, declared, module, problems);
        if (problems.Count > 0) return problems;
        if (trustLibraryModules && Descendants(module).OfType<Backbone>().All(b => b.GetType().Assembly == typeof(Backbone).Assembly))
            return problems;
        if (declared.Count == 0 || declared.Levels.Any(l => l.Stride < 1 || l.Channels < 1))
            return [$"{owner} declares levels {declared}; every level needs a stride and channels of at least 1."];
        int stride = declared.Levels.Max(l => l.Stride);
        long side = (long)stride * Math.Max(2, (32 + stride - 1) / stride);
        string image = $"a {side}×{side} zero image in evaluation mode";
        return Isolated(() =>
        {
            var modes = TrainingFlags(module);
            try
            {
                module.eval();
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var maps = module.call(zeros(1, 3, side, side));
                problems.AddRange(CompareMaps(owner, declared, maps, 1, side, side, image));
            }
            catch (Exception ex) when (Reportable(ex))
            {
                problems.Add($"{owner}: its forward failed on {image}: {Describe(ex)}");
            }
            finally
            {
                foreach (var (m, training) in modes) m.train(training);
            }
            return problems;
        });
    }

    private static IReadOnlyList<string> CheckTaskFeatures(string owner, Func<IEnumerable<string>> validate,
        Func<nn.Module<TaskFeatures, TaskFeatures>> create, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, int channels, int featureSize)
    {
        var problems = new List<string>();
        var invalid = Guard(problems, owner, "Validate()", () => validate().ToArray());
        if (invalid is null) return problems;
        if (invalid.Length > 0) return [.. invalid.Select(p => $"{owner} does not accept its context: {p}")];
        long[] shape = [2, channels, featureSize, featureSize + 1];
        return Isolated(() =>
        {
            using var scope = NewDisposeScope();
            using var module = Guard(problems, owner, "Create()", create);
            if (module is null) return problems;
            Exercise(problems, owner, module,
                generator => TaskFeatures.From(inputs, _ => randn(shape, generator: generator)),
                (features, mode) =>
                {
                    string what = $"for features {Shape(shape)} of tasks {string.Join(", ", inputs)}{mode}";
                    if (features is null) return [$"{owner} returned null {what}."];
                    if (!features.Tasks.SequenceEqual(outputs))
                        return [$"{owner} returned features of tasks {List(features.Tasks)} {what}; expected {List(outputs)}, in that order."];
                    var found = new List<string>();
                    foreach (var (task, tensor) in features)
                    {
                        if (tensor is null) found.Add($"{owner} returned null for task '{task}' {what}.");
                        else if (!tensor.shape.SequenceEqual(shape))
                            found.Add($"{owner} returned task '{task}' as {Shape(tensor)} {what}; expected the input's shape {Shape(shape)}.");
                        else if (NonFinite(tensor)) found.Add($"{owner} returned NaN or infinite values for task '{task}' {what}.");
                    }
                    return found;
                },
                features => features?.Values.Where(t => t is not null) ?? []);
            return problems;
        });
    }

    /// <summary>Runs <paramref name="module"/> in training mode (forward and backward) and then in evaluation mode without
    /// gradients, on the same random input, adding what <paramref name="check"/> finds and any parameter without a gradient.</summary>
    private static void Exercise<TIn, TOut>(List<string> problems, string owner, nn.Module<TIn, TOut> module,
        Func<Generator, TIn> input, Func<TOut, string, IEnumerable<string>> check, Func<TOut, IEnumerable<Tensor>> outputs) where TOut : class
    {
        using var generator = new Generator(seed: 0);
        var x = input(generator);
        module.train();
        var trained = Guard(problems, owner, $"forward (training mode)", () => module.call(x));
        if (trained is null) return;
        int before = problems.Count;
        problems.AddRange(check(trained, ""));
        if (problems.Count > before) return;

        var trainable = module.named_parameters().Where(p => p.parameter.requires_grad).ToArray();
        if (trainable.Length > 0)
        {
            var terms = outputs(trained).Where(t => t.requires_grad).Select(t => t.square().mean()).ToArray();
            if (terms.Length > 0 && Guard(problems, owner, "backward", () => { terms.Aggregate((a, b) => a + b).backward(); return string.Empty; }) is null)
                return;
            var missing = trainable.Where(p => p.parameter.grad is null).Select(p => p.name).ToArray();
            if (missing.Length > 0)
                problems.Add($"{owner}: no gradient reaches {Count(missing.Length, "trainable parameter")} ({List(missing, 5)}); " +
                             "every trainable parameter must take part in forward, or be frozen with requires_grad = false.");
            var nonFinite = trainable.Where(p => p.parameter.grad is { } g && NonFinite(g)).Select(p => p.name).ToArray();
            if (nonFinite.Length > 0)
                problems.Add($"{owner}: the gradient of {Count(nonFinite.Length, "parameter")} ({List(nonFinite, 5)}) has NaN or infinite values.");
        }

        module.eval();
        using (no_grad())
        {
            var evaluated = Guard(problems, owner, "forward (evaluation mode)", () => module.call(x));
            if (evaluated is not null) problems.AddRange(check(evaluated, " in evaluation mode"));
        }
    }

    /// <summary>The declared levels against the maps a forward returned, one sentence per mismatch.</summary>
    private static List<string> CompareMaps(string owner, FeatureInfo declared, FeatureMaps? maps, long batch, long height, long width, string image)
    {
        if (maps is null) return [$"{owner}: its forward returned null instead of feature maps for {image}."];
        var problems = new List<string>();
        if (maps.Count != declared.Count)
            problems.Add($"{owner} declares {Count(declared.Count, "level")} ({List(declared.Levels.Select(l => l.Name))}), " +
                         $"but its forward returned {Count(maps.Count, "feature map")} for {image}.");
        for (int i = 0; i < Math.Min(maps.Count, declared.Count); i++)
        {
            var level = declared[i];
            var map = maps[i];
            string promise = $"{owner} declares level '{level.Name}' with {level.Channels} channels at stride {level.Stride}";
            if (map is null)
                problems.Add($"{promise}, but its forward returned null there for {image}.");
            else if (map.dim() != 4)
                problems.Add($"{promise}, but its forward returned a tensor of shape {Shape(map)} for {image}; a feature map is [batch, channels, height, width].");
            else if (map.shape[0] != batch)
                problems.Add($"{promise}, but its forward returned {map.shape[0]} maps for a batch of {batch} ({image}).");
            else if (map.shape[1] != level.Channels || map.shape[2] * level.Stride != height || map.shape[3] * level.Stride != width)
            {
                long h = map.shape[2], w = map.shape[3];
                bool clean = h > 0 && w > 0 && height % h == 0 && width % w == 0 && height / h == width / w;
                string actual = clean
                    ? $"{map.shape[1]} channels at stride {height / h}"
                    : $"{map.shape[1]} channels as a {h}×{w} map (stride {level.Stride} gives {height / level.Stride}×{width / level.Stride})";
                problems.Add($"{promise}, but its forward returned {actual} for {image}.");
            }
            else if (NonFinite(map))
                problems.Add($"{owner}: level '{level.Name}' has NaN or infinite values for {image}.");
        }
        if (problems.Count > 1 && maps.Count == declared.Count && maps.All(m => m is not null && m.dim() == 4) &&
            maps.Zip(declared.Levels.Reverse()).All(p => p.First.shape[1] == p.Second.Channels && p.First.shape[2] * p.Second.Stride == height))
            problems.Add($"{owner}: its maps come coarsest first; return them finest first, in the order of Features.");
        return problems;
    }

    private static void CheckModuleFeatures(string owner, FeatureInfo declared, Backbone module, List<string> problems)
    {
        var published = Guard(problems, owner, "the module's Features", () => module.Features);
        if (published is not null && !published.Levels.SequenceEqual(declared.Levels))
            problems.Add($"{owner} declares the levels {declared} before it is created, but the module it creates reports {published}; " +
                         "the two must be equal (heads are sized from the first and fed by the second).");
    }

    /// <summary>Runs <paramref name="body"/> and restores the global random number generator afterwards, so a check never
    /// changes the initialisation or the training that follow it.</summary>
    private static T Isolated<T>(Func<T> body)
    {
        var state = random.get_rng_state();
        try
        {
            return body();
        }
        finally
        {
            random.set_rng_state(state);
            state.Dispose();
        }
    }

    /// <summary>The module and its descendants, parents first, with their training flags, to put back after a forward in
    /// evaluation mode (a parent's train() sets its children, so the children's own flags are restored after it).</summary>
    internal static (nn.Module Module, bool Training)[] TrainingFlags(nn.Module module) =>
        [.. Descendants(module).Select(m => (m, m.training))];

    /// <summary>The module, then its descendants, parents before children.</summary>
    private static IEnumerable<nn.Module> Descendants(nn.Module module) => module.named_modules().Select(m => m.module).Prepend(module);

    internal static T? Guard<T>(List<string> problems, string owner, string step, Func<T> action) where T : class
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (Reportable(ex))
        {
            problems.Add($"{owner}: {step} failed: {Describe(ex)}");
            return null;
        }
    }

    /// <summary>Exceptions a component's own code or libtorch raise for a mistake in the component; not the runtime's own failures.</summary>
    private static bool Reportable(Exception ex) => ex is not (OutOfMemoryException or StackOverflowException or AccessViolationException);

    private static string Describe(Exception ex) =>
        $"{(ex is ExternalException ? "libtorch" : ex.GetType().Name)}: {ex.Message.Split('\n')[0].Trim()}";

    private static bool NonFinite(Tensor t)
    {
        using var _ = no_grad();
        using var finite = t.isfinite().all();
        return !finite.item<bool>();
    }

    private static string Shape(Tensor t) => Shape(t.shape);
    private static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";
    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    private static string List(IEnumerable<string> names, int max = int.MaxValue)
    {
        var all = names.ToArray();
        return all.Length <= max ? string.Join(", ", all) : $"{string.Join(", ", all.Take(max))} and {all.Length - max} more";
    }
}
