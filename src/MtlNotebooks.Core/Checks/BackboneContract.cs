using static MtlNotebooks.Checks.ContractRun;
using static TorchSharp.torch;

namespace MtlNotebooks.Checks;

/// <summary>The contract of a backbone, behind <see cref="Contracts.Check(IBackbone, int)"/>, and the probe
/// <see cref="MultiTaskNetBuilder.Build"/> runs on the first module of a backbone of your own.</summary>
internal static class BackboneContract
{
    /// <inheritdoc cref="Contracts.Check(IBackbone, int)"/>
    public static IReadOnlyList<string> Check(IBackbone backbone, int imageSize)
    {
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

    /// <summary>What <see cref="MultiTaskNetBuilder.Build"/> checks on the first module created from the user's backbone:
    /// its levels equal the spec's, and one forward of a zero image (batch 1, evaluation mode, no gradients, a side of at
    /// least two coarsest strides) returns the declared channels at the declared strides. The module's weights, buffers,
    /// training flags and the global random number generator are left as they were; the probe's tensors are freed.</summary>
    /// <param name="spec">The spec the module was created from.</param>
    /// <param name="module">The module to probe.</param>
    /// <param name="trustLibraryModules">Skip the forward when every backbone module in <paramref name="module"/>'s tree is
    /// one of this library's (their maps are checked against their levels by the contract tests over
    /// <see cref="Backbones.All"/>); the spec's levels are still compared with the module's.</param>
    public static IReadOnlyList<string> Probe(IBackbone spec, Backbone module, bool trustLibraryModules = false)
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
}
