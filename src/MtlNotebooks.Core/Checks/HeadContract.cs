using static MtlNotebooks.Checks.ContractRun;
using static TorchSharp.torch;

namespace MtlNotebooks.Checks;

/// <summary>The contract of a head, behind <see cref="Contracts.Check(IHead, HeadContext?, int)"/>.</summary>
internal static class HeadContract
{
    /// <inheritdoc cref="Contracts.Check(IHead, HeadContext?, int)"/>
    public static IReadOnlyList<string> Check(IHead head, HeadContext context, int imageSize)
    {
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
}
