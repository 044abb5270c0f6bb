using MtlNotebooks.Weights;
using MtlNotebooks.Modules.SingleTasking;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Spec of <see cref="MobileNetV2Module"/>: torchvision's structure and state-dict names; <paramref name="Weights"/> is loaded on creation.</summary>
public sealed record MobileNetV2(MobileNetV2Options Options, string? Weights = null) : IBackbone, IStagedBackbone, IAstmtBackbone, IPretrainableBackbone
{
    public IBackbone WithWeights(string path) => this with { Weights = path };

    public string Name => Options.WidthMultiplier == 1 && Weights is null
        ? "MobileNet-V2"
        : $"MobileNet-V2 (width ×{Options.WidthMultiplier:0.###}{(Weights is null ? "" : $", weights {Path.GetFileName(Weights)}")})";

    public FeatureInfo Features => Options.Features;

    public FeatureInfo StageLevels => (Options with { MultiScale = true }).Features;

    /// <summary>Inverted residuals per stage, the last 1x1 conv counted as a block of the last stage.</summary>
    public IReadOnlyList<int> StageBlocks => [3, 3, 7, Options.IncludeLastConv ? 5 : 4];

    public IEnumerable<string> Validate()
    {
        foreach (var problem in Options.Validate("UseBackbone(MobileNetV2)")) yield return problem;
        foreach (var problem in PretrainedWeights.Validate(Weights, "UseBackbone(MobileNetV2)")) yield return problem;
    }

    /// <summary>The module, with <see cref="Weights"/> loaded when given; an ImageNet file's classifier, and its last
    /// 1x1 conv (<c>features.18</c>) when the module drops it as ASTMT's encoder does, are skipped.</summary>
    public Backbone Create() => PretrainedWeights.LoadInto(new MobileNetV2Module(Options), Weights, Name, key =>
        (!Options.IncludeClassifier && key.StartsWith("classifier.", StringComparison.Ordinal)) ||
        (!Options.IncludeLastConv && key.StartsWith("features.18.", StringComparison.Ordinal)));

    /// <summary>ASTMT's MobileNet-V2 variant (appendix): no residual adapters, ASPP convs grouped by the decoder width.</summary>
    public IEnumerable<string> ValidateForAstmt(Astmt astmt, string caller)
    {
        if (astmt.Adapters) yield return $"{caller}: the MobileNet-V2 variant of ASTMT has no residual adapters (appendix); set adapters: false.";
        int high = AstmtMobileNetModule.Channels(320, Options);
        if (astmt.DecoderWidth > 0 && high % astmt.DecoderWidth != 0)
            yield return $"{caller}: the MobileNet decoder groups its ASPP convs by the decoder width, so the encoder's {high} channels " +
                         $"(⌊320·{Options.WidthMultiplier:0.###}⌋) must be a multiple of decoderWidth {astmt.DecoderWidth}; choose a divisor of {high} that is a multiple of 16.";
    }

    /// <summary>ASTMT's network on this encoder; <see cref="Weights"/>, the ASTMT code's ImageNet SE-MobileNet-V2 file,
    /// initialises the encoder and every task's SE and batch-norm copy (<see cref="AstmtImageNet"/>).</summary>
    public AstmtModule CreateAstmt(Astmt astmt, IReadOnlyDictionary<string, int> outputs)
    {
        var module = new AstmtMobileNetModule(Options, outputs, astmt.Options);
        if (Weights is null) return module;
        try
        {
            AstmtImageNet.Load(module, Weights, $"UseBackbone({Name}) in ASTMT", mobileNet: true);
            return module;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }
}
