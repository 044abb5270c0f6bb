using MtlNotebooks.Weights;
using MtlNotebooks.Modules.Backbones;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Spec of <see cref="FpnModule"/>: a feature pyramid over <paramref name="BottomUp"/>; <paramref name="Weights"/>
/// (body and FPN) is loaded on creation, after the bottom-up backbone's own weights.</summary>
public sealed record Fpn(IBackbone BottomUp, int Channels = 256, string? Weights = null) : IBackbone, IPretrainableBackbone
{
    public IBackbone WithWeights(string path) => this with { Weights = path };

    public string Name => $"{BottomUp.Name} + FPN ({Channels} ch{(Weights is null ? "" : $", weights {Path.GetFileName(Weights)}")})";

    public FeatureInfo Features => FpnModule.FpnFeatures(BottomUp.Features, Channels);

    public IEnumerable<string> Validate()
    {
        const string caller = "UseBackbone(Fpn)";
        var problems = BottomUp.Validate().ToArray();
        foreach (var problem in problems) yield return problem;
        if (problems.Length > 0) yield break;
        if (Channels < 1) yield return $"{caller}: channels must be >= 1, got {Channels}.";
        var levels = BottomUp.Features.Levels;
        if (levels.Count < 2)
            yield return $"{caller}: a pyramid needs a multi-scale bottom-up backbone; '{BottomUp.Name}' emits one level ({BottomUp.Features}). " +
                         "Build it with multiScale: true.";
        else if (levels.Zip(levels.Skip(1)).Any(p => p.Second.Stride <= p.First.Stride))
            yield return $"{caller}: the bottom-up levels must get coarser one after another, but '{BottomUp.Name}' has strides " +
                         $"{string.Join(", ", levels.Select(l => l.Stride))}. Use an undilated backbone (outputStride: 32).";
        foreach (var problem in PretrainedWeights.Validate(Weights, caller)) yield return problem;
    }

    internal FpnOptions Options => new(Channels);

    public Backbone Create()
    {
        var body = BottomUp.Create();
        try
        {
            return PretrainedWeights.LoadInto(new FpnModule(body, Options), Weights, Name);
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }
}
