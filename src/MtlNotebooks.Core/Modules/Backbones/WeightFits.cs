using MtlNotebooks.Weights;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Which of the library's networks, at the papers' sizes, a state dict fits: what <c>mtl weights inspect</c>
/// reports, so a user learns what a file on disk is before passing it as <c>weights:</c>.</summary>
public static class WeightFits
{
    /// <summary>A network a file can fit: its name, how to call the factory, a module to compare with, and the keys
    /// of an ImageNet head the backbone skips.</summary>
    public sealed record Candidate(string Name, string Call, Func<nn.Module> Create, Func<string, bool>? Skippable);

    /// <summary>torchvision's and the papers' ImageNet backbones, with their classifiers (as ImageNet files hold them).</summary>
    public static IReadOnlyList<Candidate> Candidates { get; } =
    [
        .. new[] { 18, 34, 26, 50, 101 }.Select(depth => new Candidate($"ResNet-{depth}", $"Backbones.ResNet{depth}(weights: file)",
            () => new ResNetModule(new ResNetOptions(depth, IncludeClassifier: true)), null)),
        .. new[] { 26, 50, 101 }.Select(depth => new Candidate($"SE-ResNet-{depth}", $"Backbones.SEResNet{depth}(weights: file)",
            () => new ResNetModule(new ResNetOptions(depth, IncludeClassifier: true, SqueezeExcitation: true)), null)),
        new("MobileNet-V2", "Backbones.MobileNetV2(weights: file)", () => new MobileNetV2Module(new MobileNetV2Options(IncludeClassifier: true)), null),
        new("HRNet-W18-small-v2", "Backbones.HRNetW18Small(weights: file)", () => new HRNetModule(HRNetOptions.W18SmallV2(1)), HRNet.IsImageNetHead),
        new("HRNet-W18", "Backbones.HRNetW18(weights: file)", () => new HRNetModule(HRNetOptions.W18(1)), HRNet.IsImageNetHead),
        new("HRNet-W48", "Backbones.HRNetW48(weights: file)", () => new HRNetModule(HRNetOptions.W48(1)), HRNet.IsImageNetHead),
    ];

    /// <summary>Every candidate with the problems <see cref="PretrainedWeights.Compare(nn.Module, IReadOnlyDictionary{string, long[]}, Func{string, bool}?, Func{string, bool}?)"/>
    /// finds, fewest first (an empty list: the file fits).</summary>
    public static IReadOnlyList<(Candidate Candidate, IReadOnlyList<string> Problems, int Differences)> Rank(IReadOnlyDictionary<string, long[]> original)
    {
        var ranked = new List<(Candidate, IReadOnlyList<string>, int)>();
        foreach (var candidate in Candidates)
        {
            using var module = candidate.Create();
            var ours = module.state_dict();
            var (stored, problems) = (original, PretrainedWeights.Compare(module, original, candidate.Skippable));
            // A file of the authors' code under their names (the ASTMT code's SE-ResNets) fits as well.
            if (problems.Count > 0 && module is IReferenceKeys { ReferenceKeys: var map }
                && PretrainedWeights.UnderOurNames(ours.Keys, map, original) is { Clashes.Count: 0, Stored: var renamed }
                && PretrainedWeights.Compare(module, renamed, candidate.Skippable) is { Count: 0 } fits)
                (stored, problems) = (renamed, fits);
            int differences = ours.Keys.Count(k => !stored.ContainsKey(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
                              + stored.Keys.Count(k => !ours.ContainsKey(k) && candidate.Skippable?.Invoke(k) != true)
                              + ours.Count(t => stored.TryGetValue(t.Key, out var shape) && !shape.SequenceEqual(t.Value.shape));
            ranked.Add((candidate, problems, differences));
        }
        return [.. ranked.OrderBy(r => r.Item3)];
    }
}
