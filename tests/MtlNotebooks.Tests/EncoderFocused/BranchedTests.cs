using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Modules.EncoderFocused;
using MtlNotebooks.Training;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.EncoderFocused;

/// <summary>Branched multi-task networks (survey §2.2.4; Vandenhende et al., BMVC 2020): RSA task affinity, the tree chosen under
/// a budget, and the network a tree describes, which spans hard sharing and the single-task networks.</summary>
[Collection("Torch")]
public sealed class BranchedTests
{
    private static readonly string[] ThreeTasks = ["semseg", "depth", "normals"];

    private static MultiTaskNetBuilder Builder(IArchitecture architecture, IBackbone? backbone = null) => MultiTaskNet.CreateBuilder()
        .UseBackbone(backbone ?? Backbones.SmallResNet(4))
        .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount))
        .AddTask(DenseTasks.Depth())
        .AddTask(DenseTasks.SurfaceNormals())
        .UseArchitecture(architecture)
        .WithSeed(1);

    [Fact]
    public void Affinity_OfANetworkWithItself_IsOneAtEveryBranchPoint()
    {
        using var backbone = Backbones.SmallResNet(4).Create();
        using var scope = NewDisposeScope();
        var affinity = RepresentationSimilarity.Measure(new Dictionary<string, Backbone> { ["a"] = backbone, ["b"] = backbone }, randn(8, 3, 32, 32));
        Assert.Equal(["layer1", "layer2", "layer3", "layer4"], affinity.BranchPoints);
        for (int d = 0; d < 4; d++)
        {
            Assert.Equal(1, affinity.Affinity(d, "a", "b"), 12);
            Assert.Equal(0, affinity.Dissimilarity(d, "a", "b"), 12);
        }
    }

    [Fact]
    public void Affinity_IsTheSpearmanCorrelationOfTheRdmsUpperTriangles()
    {
        using var scope = NewDisposeScope();
        var x = randn(6, 10, dtype: ScalarType.Float64);
        var rdm = RepresentationSimilarity.Dissimilarities(x);
        var centred = x - x.mean([1], keepdim: true);
        var pearson = centred.matmul(centred.t()) / (centred.norm(1, keepdim: true) * centred.norm(1, keepdim: true).t());
        Assert.True(rdm.allclose(1 - pearson, 1e-9, 1e-9));
        Assert.Equal(1, RepresentationSimilarity.Spearman([1, 2, 3, 4], [10, 20, 35, 100]), 12);        // monotone: ρ = 1
        Assert.Equal(-1, RepresentationSimilarity.Spearman([1, 2, 3, 4], [4, 3, 2, 1]), 12);
        Assert.Equal(8 / Math.Sqrt(95), RepresentationSimilarity.Spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 12);   // ties take their mean rank
        // A monotone transform of one RDM keeps the rank correlation at 1.
        Assert.Equal(1, RepresentationSimilarity.Affinity(rdm, rdm.pow(3)), 12);
    }

    [Fact]
    public void Enumerate_CountsTheNestedGroupings()
    {
        Assert.Equal(5, TreeSearch.Enumerate(ThreeTasks, 1).Count());      // Bell(3)
        // Two stages: from {abc}: 5; from {ab}{c} (three of them): 2 each; from {a}{b}{c}: 1.
        Assert.Equal(5 + 3 * 2 + 1, TreeSearch.Enumerate(ThreeTasks, 2).Count());
        var trees = TreeSearch.Enumerate(ThreeTasks, 4).ToArray();
        Assert.Equal(trees.Length, trees.Distinct().Count());
        Assert.All(trees, t => Assert.Empty(t.Validate(ThreeTasks, 4, "test")));
    }

    private static BranchPointAffinity Affinity(params double[] perPoint)
    {
        // semseg and depth alike (affinity v), normals apart (0.1), at every branch point.
        return new BranchPointAffinity(ThreeTasks, ["layer1", "layer2", "layer3", "layer4"], perPoint.Select(v => new double[,]
        {
            { 1, v, 0.1 }, { v, 1, 0.1 }, { 0.1, 0.1, 1 },
        }).ToArray());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    [InlineData(1.0)]
    public void Choose_RespectsTheBudget_AndKeepsTheMostSimilarTasksTogether(double fraction)
    {
        var costs = new BranchCosts(100, [1_000, 4_000, 16_000, 64_000], 500);
        var affinity = Affinity(0.9, 0.8, 0.6, 0.4);
        long budget = TreeSearch.Budget(costs, ThreeTasks, fraction);

        var tree = TreeSearch.Choose(affinity, costs, budget);

        Assert.True(costs.Cost(tree) <= budget, $"{tree} costs {costs.Cost(tree)} > {budget}");
        var best = TreeSearch.Evaluate(affinity, costs).Where(c => c.Cost <= budget).Min(c => c.Score);
        Assert.Equal(best, TreeSearch.Score(tree, affinity), 12);
        if (fraction == 0) Assert.Equal(TaskTree.Shared(ThreeTasks, 4), tree);
        if (fraction == 1) Assert.Equal(TaskTree.Separate(ThreeTasks, 4), tree);
        // Normals, the dissimilar task, never shares a stage that semseg and depth do not share.
        for (int s = 0; s < 4; s++)
            Assert.True(tree.GroupOf(s, "normals").Count == 1 || tree.GroupOf(s, "semseg").Contains("depth"), tree.ToString());
    }

    [Fact]
    public void Choose_BelowHardSharing_SaysWhatSharingCosts()
    {
        var costs = new BranchCosts(100, [1_000, 4_000, 16_000, 64_000], 500);
        var error = Assert.Throws<ArgumentException>(() => TreeSearch.Choose(Affinity(0.9, 0.8, 0.6, 0.4), costs, 1_000));
        Assert.Contains("85,600", error.Message);
    }

    [Fact]
    public void SharedTree_HasHardSharingsParameters_SeparateTree_TheSingleTaskNetworks()
    {
        using var shared = Builder(Architectures.Branched(TaskTree.Shared(ThreeTasks, 4))).Build();
        using var hard = Builder(Architectures.HardSharing()).Build();
        using var separate = Builder(Architectures.Branched(TaskTree.Separate(ThreeTasks, 4))).Build();
        using var single = Builder(Architectures.SingleTask()).Build();

        Assert.Equal(hard.Network.ParameterCount(), shared.Network.ParameterCount());
        Assert.Equal(single.Network.ParameterCount(), separate.Network.ParameterCount());
        var costs = BranchCosts.Parameters(single.Network);
        Assert.Equal(hard.Network.ParameterCount(), costs.Cost(TaskTree.Shared(ThreeTasks, 4)));
        Assert.Equal(single.Network.ParameterCount(), costs.Cost(TaskTree.Separate(ThreeTasks, 4)));
        var middle = new TaskTree([[ThreeTasks], [["semseg", "depth"], ["normals"]], [["semseg", "depth"], ["normals"]], [["semseg"], ["depth"], ["normals"]]]);
        using var branched = Builder(Architectures.Branched(middle)).Build();
        Assert.Equal(costs.Cost(middle), branched.Network.ParameterCount());
    }

    [Theory]
    [InlineData("resnet18-dilated")]
    [InlineData("mobilenet-v2")]
    public void SharedTree_OnOtherStagedBackbones_EqualsHardSharing(string backbone)
    {
        using var shared = Builder(Architectures.Branched(TaskTree.Shared(ThreeTasks, 4)), Backbones.All[backbone]).Build();
        using var hard = Builder(Architectures.HardSharing(), Backbones.All[backbone]).Build();
        Assert.Equal(hard.Network.ParameterCount(), shared.Network.ParameterCount());
        using var scope = NewDisposeScope();
        Assert.Equal([2L, 1, 48, 40], shared.Network.call(randn(2, 3, 48, 40))["depth"].shape);
    }

    [Theory]
    [InlineData("uniform")]
    [InlineData("gradnorm")]
    [InlineData("pcgrad")]
    public void Branched_TrainsAStepWithFiniteLoss(string balancer)
    {
        using var train = SyntheticDataset.Create(SyntheticSplit.Train, 4, 32, 32, seed: 3);
        using var validation = SyntheticDataset.Create(SyntheticSplit.Validation, 2, 32, 32, seed: 3);
        var tree = new TaskTree([[ThreeTasks], [ThreeTasks], [["semseg", "depth"], ["normals"]], [["semseg"], ["depth"], ["normals"]]]);
        using var model = Builder(Architectures.Branched(tree)).UseBalancer(Balancers.All[balancer]).Build();
        Assert.NotEmpty(model.Network.LastSharedParameters());
        var history = Trainer.Fit(model, train, validation, new TrainingOptions { Epochs = 1, BatchSize = 4, Seed = 1, Optimizer = Optimizers.Sgd(0.01, momentum: 0.9) });
        Assert.True(double.IsFinite(Assert.Single(history.Steps).TotalLoss));
    }

    [Fact]
    public void Build_TreeThatMergesBranches_IsRefusedInWords()
    {
        var merging = new TaskTree([[["semseg"], ["depth", "normals"]], [ThreeTasks], [ThreeTasks], [ThreeTasks]]);
        var problems = Assert.Throws<BuildException>(() => Builder(Architectures.Branched(merging)).Build()).Problems;
        Assert.Contains(problems, p => p.Contains("branches never merge again"));
        var unstaged = Assert.Throws<BuildException>(() => Builder(Architectures.Branched(TaskTree.Shared(ThreeTasks, 4)), Backbones.All["hrnet-w18-small"]).Build()).Problems;
        Assert.Contains(unstaged, p => p.Contains("parallel branches"));
    }

    [Fact]
    public void BranchedSearch_AfterBaselines_GivesABranchedNetworkWithinTheBudget()
    {
        using var single = Builder(Architectures.SingleTask()).Build();
        var search = Architectures.BranchedSearch(budgetFraction: 0.5, probeImages: 8);
        Assert.Empty(Builder(search).Plan().Problems);
        Assert.Throws<InvalidOperationException>(() => Builder(search).Build());
        using var scope = NewDisposeScope();
        var images = randn(10, 3, 32, 32);

        var design = search.Design(single.Network, images);
        var branched = Assert.IsType<Branched>(search.AfterBaselines(single.Network, images));

        Assert.Equal(design.Tree, branched.Tree);
        using var model = Builder(branched).Build();
        Assert.True(model.Network.ParameterCount() <= design.Budget);
        Assert.Equal(ThreeTasks, design.Affinity.Tasks);
        Assert.Equal(4, design.Affinity.Values.Count);
    }
}
