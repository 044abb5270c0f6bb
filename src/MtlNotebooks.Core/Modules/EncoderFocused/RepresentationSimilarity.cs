using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Modules.Baselines;
using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Representation similarity analysis (RSA; Dwivedi &amp; Roig 2019) as branched multi-task networks use it to measure
/// task affinity (Vandenhende et al., BMVC 2020; survey §2.2.4): at a branch point, each task's trained single-task network maps
/// K probe images to K feature vectors; their representational dissimilarity matrix (RDM) holds 1 − the Pearson correlation of
/// every two images' vectors; two tasks' affinity is the Spearman rank correlation of their RDMs' upper triangles. Tasks whose
/// networks order the images' (dis)similarities alike are expected to share that layer well.</summary>
public static class RepresentationSimilarity
{
    /// <summary>The RDM of <paramref name="features"/> [K, ...]: [K, K] of 1 − Pearson correlation between the rows (float64).
    /// A constant row correlates 0 with every other.</summary>
    public static Tensor Dissimilarities(Tensor features)
    {
        using var scope = NewDisposeScope();
        var x = features.detach().flatten(1).to_type(ScalarType.Float64);
        x = x - x.mean([1], keepdim: true);
        using Scalar tiny = 1e-12, one = 1;
        x = x / x.norm(1, keepdim: true).clamp_min(tiny);
        return x.matmul(x.t()).neg_().add_(one, one).MoveToOuterDisposeScope();
    }

    /// <summary>The Spearman correlation (average ranks for ties) of the upper triangles (above the diagonal) of two RDMs of
    /// the same K images; NaN when either triangle is constant.</summary>
    public static double Affinity(Tensor rdmA, Tensor rdmB)
    {
        if (!rdmA.shape.SequenceEqual(rdmB.shape) || rdmA.dim() != 2 || rdmA.shape[0] != rdmA.shape[1] || rdmA.shape[0] < 3)
            throw new ArgumentException($"RSA compares two square RDMs of the same (at least 3) images; got [{string.Join(", ", rdmA.shape)}] and [{string.Join(", ", rdmB.shape)}].");
        return Spearman(UpperTriangle(rdmA), UpperTriangle(rdmB));
    }

    /// <summary>Every stage's output of a staged backbone on <paramref name="images"/>, in evaluation mode without gradients.</summary>
    public static IReadOnlyList<Tensor> StageOutputs(Backbone backbone, Tensor images)
    {
        var stages = (backbone as IStagedBackboneModule ?? throw new ArgumentException($"RSA at branch points needs a staged backbone; {backbone.GetName()} is not one.")).Stages;
        bool training = backbone.training;
        backbone.eval();
        try
        {
            using var _ = no_grad();
            var outputs = new List<Tensor>();
            var x = images;
            for (int s = 0; s < stages.Blocks.Count; s++) outputs.Add(x = stages.Run(s, x));
            return outputs;
        }
        finally
        {
            if (training) backbone.train();
        }
    }

    /// <summary>Affinity at every stage output of the single-task networks <paramref name="singleTask"/> (a
    /// <see cref="SingleTaskModule"/>, <see cref="Architectures.SingleTask"/>) on the probe <paramref name="images"/> [K, 3, H, W].</summary>
    public static BranchPointAffinity Measure(MultiTaskNet singleTask, Tensor images)
    {
        var networks = singleTask as SingleTaskModule
                       ?? throw new ArgumentException($"RSA measures the single-task networks (Architectures.SingleTask); got {singleTask.GetName()}.", nameof(singleTask));
        return Measure(networks.Tasks.ToDictionary(t => t, networks.Backbone), images);
    }

    /// <summary>Affinity at every stage output of one trained staged backbone per task (all of the same shape).</summary>
    public static BranchPointAffinity Measure(IReadOnlyDictionary<string, Backbone> backbones, Tensor images)
    {
        if (backbones.Count < 2) throw new ArgumentException($"Task affinity needs at least two tasks, got {backbones.Count}.", nameof(backbones));
        if (images.shape[0] < 3) throw new ArgumentException($"RSA needs at least 3 probe images, got {images.shape[0]}.", nameof(images));
        using var scope = NewDisposeScope();
        var tasks = backbones.Keys.ToArray();
        var device = backbones[tasks[0]].parameters().FirstOrDefault()?.device ?? CPU;
        var input = images.to(device);
        var rdms = tasks.ToDictionary(t => t, t => StageOutputs(backbones[t], input).Select(Dissimilarities).ToArray());
        int points = rdms[tasks[0]].Length;
        if (rdms.Values.Any(r => r.Length != points))
            throw new ArgumentException("The single-task backbones have different numbers of stages.", nameof(backbones));
        var values = new List<double[,]>();
        for (int d = 0; d < points; d++)
        {
            var matrix = new double[tasks.Length, tasks.Length];
            for (int a = 0; a < tasks.Length; a++)
            {
                matrix[a, a] = 1;
                for (int b = a + 1; b < tasks.Length; b++) matrix[a, b] = matrix[b, a] = Affinity(rdms[tasks[a]][d], rdms[tasks[b]][d]);
            }
            values.Add(matrix);
        }
        var levels = ((IStagedBackboneModule)backbones[tasks[0]]).Stages.Levels.Levels.Select(l => l.Name).ToArray();
        return new BranchPointAffinity(tasks, levels, values);
    }

    private static double[] UpperTriangle(Tensor rdm)
    {
        var values = rdm.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        int k = (int)rdm.shape[0];
        var upper = new List<double>(k * (k - 1) / 2);
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++) upper.Add(values[i * k + j]);
        return [.. upper];
    }

    /// <summary>Spearman's ρ: the Pearson correlation of the average ranks.</summary>
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b) => Pearson(Ranks(a), Ranks(b));

    private static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            for (int i = start; i <= end; i++) ranks[order[i]] = (start + end) / 2.0 + 1;
            start = end + 1;
        }
        return ranks;
    }

    private static double Pearson(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average(), ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ab += (a[i] - ma) * (b[i] - mb);
            aa += (a[i] - ma) * (a[i] - ma);
            bb += (b[i] - mb) * (b[i] - mb);
        }
        return aa == 0 || bb == 0 ? double.NaN : ab / Math.Sqrt(aa * bb);
    }
}
