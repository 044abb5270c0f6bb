using MtlNotebooks.Weights;
using MtlNotebooks.Modules.SingleTasking;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Spec of <see cref="ResNetModule"/>: torchvision's ResNet structure and state-dict names, optionally
/// dilated, narrowed or with ASTMT's SE blocks; <paramref name="Weights"/> (any state-dict file StateDictFile reads: PyTorch's .pth, .safetensors, …) is loaded on creation.</summary>
public sealed record ResNet(ResNetOptions Options, string? Weights = null) : IBackbone, IStagedBackbone, IAstmtBackbone, IPretrainableBackbone
{
    public IBackbone WithWeights(string path) => this with { Weights = path };

    public string Name
    {
        get
        {
            var details = new List<string>();
            if (Options.WidthMultiplier != 1) details.Add($"width ×{Options.WidthMultiplier:0.###}");
            if (Options.OutputStride != 32) details.Add($"output stride {Options.OutputStride}");
            if (!Options.MultiScale) details.Add("layer4 only");
            if (Weights is not null) details.Add($"weights {Path.GetFileName(Weights)}");
            string name = $"{(Options.SqueezeExcitation ? "SE-" : "")}ResNet-{Options.Depth}";
            return details.Count == 0 ? name : $"{name} ({string.Join(", ", details)})";
        }
    }

    public FeatureInfo Features => Options.Features;

    public FeatureInfo StageLevels => (Options with { MultiScale = true }).Features;

    public IReadOnlyList<int> StageBlocks => Options.Blocks;

    public IEnumerable<string> Validate()
    {
        string caller = $"UseBackbone({(Options.SqueezeExcitation ? "SE" : "")}ResNet{Options.Depth})";
        foreach (var problem in Options.Validate(caller)) yield return problem;
        foreach (var problem in PretrainedWeights.Validate(Weights, caller)) yield return problem;
    }

    /// <summary>The module, with <see cref="Weights"/> loaded when given; an ImageNet file's classifier (<c>fc.</c>) is
    /// skipped when the module has none, as the papers' code drops it.</summary>
    public Backbone Create() => PretrainedWeights.LoadInto(new ResNetModule(Options), Weights, Name,
        Options.IncludeClassifier ? null : key => key.StartsWith("fc.", StringComparison.Ordinal));

    /// <summary>ASTMT's SE-ResNet encoder (the paper's Fig. 3): bottlenecks, output stride 16 or 8, layer 1 for the decoder.</summary>
    public IEnumerable<string> ValidateForAstmt(Astmt astmt, string caller)
    {
        if (!Options.Bottleneck)
        {
            yield return $"{caller}: ASTMT's encoder is an SE-ResNet with bottlenecks (26/50/101/152); {Name} has basic blocks. Use Backbones.SEResNet26().";
            yield break;
        }
        if (Options.OutputStride == 32)
            yield return $"{caller}: ASTMT's encoder has output stride 16 or 8 (dilated layer 4), but backbone {Name} has 32. " +
                         "Use Backbones.SEResNet26() (or 50, 101), whose output stride is 16.";
        if (!Options.MultiScale)
            yield return $"{caller}: the decoder needs layer 1's map, but backbone {Name} emits layer 4 only (multiScale: false).";
        if (astmt.EncoderSqueeze && !Options.SqueezeExcitation)
            yield return $"{caller}: encoderSqueeze modulates the SE blocks of an SE-ResNet, but {Name} has none. " +
                         "Use Backbones.SEResNet26() (or 50, 101), or encoderSqueeze: false for a plain ResNet (Table 3a without SE-bb).";
    }

    /// <summary>ASTMT's network on this encoder; <see cref="Weights"/>, an ImageNet SE-ResNet file, initialises the
    /// encoder and every task's copy of its SE blocks and batch norms (<see cref="AstmtImageNet"/>).</summary>
    public AstmtModule CreateAstmt(Astmt astmt, IReadOnlyDictionary<string, int> outputs)
    {
        var module = new AstmtResNetModule(Options, outputs, astmt.Options);
        if (Weights is null) return module;
        try
        {
            AstmtImageNet.Load(module, Weights, $"UseBackbone({Name}) in ASTMT");
            return module;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }
}
