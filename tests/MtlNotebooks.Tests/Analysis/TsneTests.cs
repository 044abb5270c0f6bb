using MtlNotebooks.Analysis;
using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Analysis;

/// <summary>Exact t-SNE against hand-computed values, scikit-learn's joint probabilities and autograd's gradient, and
/// on three clusters whose embedding must keep them apart.</summary>
[Collection("Torch")]
public sealed class TsneTests
{
    /// <summary>Three Gaussian clusters of <paramref name="perCluster"/> points in 10-D: unit spread, centres 10 apart
    /// along the first three axes (about 14 between centres against about 4.5 between two points of a cluster).</summary>
    private static (Tensor Points, int[] Labels) Clusters(int perCluster = 20, ulong seed = 7)
    {
        using var generator = new Generator(seed);
        var centres = zeros(3, 10, dtype: ScalarType.Float64);
        for (int c = 0; c < 3; c++) centres[c, c] = 10.0;
        var labels = Enumerable.Range(0, 3 * perCluster).Select(i => i / perCluster).ToArray();
        using var index = tensor(labels.Select(l => (long)l).ToArray());
        var points = centres.index_select(0, index) + randn([3 * perCluster, 10], dtype: ScalarType.Float64, generator: generator);
        return (points, labels);
    }

    private static Tensor RandomPoints(long n, long d, ulong seed)
    {
        using var generator = new Generator(seed);
        return randn([n, d], dtype: ScalarType.Float64, generator: generator);
    }

    private static double[,] ToArray(Tensor t)
    {
        var flat = t.to(ScalarType.Float64).cpu().data<double>().ToArray();
        int rows = (int)t.shape[0], columns = (int)t.shape[1];
        var result = new double[rows, columns];
        for (int i = 0; i < rows; i++)
        for (int j = 0; j < columns; j++)
            result[i, j] = flat[i * columns + j];
        return result;
    }

    [Theory]
    [InlineData(5.0)]
    [InlineData(10.0)]
    [InlineData(30.0)]
    public void ConditionalProbabilities_EachRow_HasTheAskedPerplexity(double perplexity)
    {
        using var scope = NewDisposeScope();
        var points = RandomPoints(40, 5, seed: 3);

        var p = ToArray(Tsne.ConditionalProbabilities(points, perplexity));

        for (int i = 0; i < 40; i++)
        {
            double sum = 0, entropyBits = 0;
            for (int j = 0; j < 40; j++)
            {
                sum += p[i, j];
                if (p[i, j] > 0) entropyBits -= p[i, j] * Math.Log2(p[i, j]);
            }

            Assert.Equal(0.0, p[i, i]);
            Assert.Equal(1.0, sum, 12);
            Assert.True(Math.Abs(entropyBits - Math.Log2(perplexity)) < 1e-4,
                $"row {i}: H = {entropyBits:F7} bits, log2({perplexity}) = {Math.Log2(perplexity):F7}");
        }
    }

    [Fact]
    public void Bandwidths_FoundBySearch_GiveTheRowsEntropyByEquationOne()
    {
        // Points 0, 1 and 3 on a line: row 0 sees squared distances 1 and 9. With σ from the search, eq. 1 by hand
        // gives p = 1 / (1 + exp(−8 / 2σ²)) for the nearer point, and its entropy must be log2(1.5) bits.
        using var scope = NewDisposeScope();
        var points = tensor(new double[] { 0, 1, 3 }).reshape(3, 1);

        var sigma = Tsne.Bandwidths(points, 1.5).data<double>().ToArray();
        var p = ToArray(Tsne.ConditionalProbabilities(points, 1.5));

        double near = 1 / (1 + Math.Exp(-(9 - 1) / (2 * sigma[0] * sigma[0])));
        double entropy = -(near * Math.Log2(near) + (1 - near) * Math.Log2(1 - near));
        Assert.Equal(near, p[0, 1], 12);
        Assert.Equal(1 - near, p[0, 2], 12);
        Assert.True(Math.Abs(entropy - Math.Log2(1.5)) < 1e-4, $"H = {entropy}, log2(1.5) = {Math.Log2(1.5)}");
    }

    [Fact]
    public void ConditionalProbabilities_GivenSigmas_MatchEquationOneByHand()
    {
        // A(0,0) B(1,0) C(0,2) D(3,4): squared distances AB 1, AC 4, AD 25, BC 5, BD 20, CD 13.
        using var scope = NewDisposeScope();
        var points = tensor(new double[] { 0, 0, 1, 0, 0, 2, 3, 4 }).reshape(4, 2);
        double[] sigma = [1.0, 0.5, 2.0, 3.0];
        double[,] d2 = { { 0, 1, 4, 25 }, { 1, 0, 5, 20 }, { 4, 5, 0, 13 }, { 25, 20, 13, 0 } };

        var p = ToArray(Tsne.ConditionalProbabilities(points, tensor(sigma)));

        for (int i = 0; i < 4; i++)
        {
            double denominator = 0;
            for (int k = 0; k < 4; k++)
                if (k != i) denominator += Math.Exp(-d2[i, k] / (2 * sigma[i] * sigma[i]));
            for (int j = 0; j < 4; j++)
            {
                double expected = j == i ? 0 : Math.Exp(-d2[i, j] / (2 * sigma[i] * sigma[i])) / denominator;
                Assert.True(Math.Abs(expected - p[i, j]) < 1e-14, $"p_{j}|{i} = {p[i, j]}, by hand {expected}");
            }
        }

        // Row B: exp(−1/0.5) / (exp(−2) + exp(−10) + exp(−40)).
        Assert.Equal(Math.Exp(-2) / (Math.Exp(-2) + Math.Exp(-10) + Math.Exp(-40)), p[1, 0], 14);
    }

    [Fact]
    public void JointProbabilities_AreSymmetricSumToOneAndAverageTheConditionals()
    {
        using var scope = NewDisposeScope();
        var points = RandomPoints(30, 4, seed: 11);

        var joint = ToArray(Tsne.JointProbabilities(points, 8));
        var conditional = ToArray(Tsne.ConditionalProbabilities(points, 8));

        double sum = 0;
        for (int i = 0; i < 30; i++)
        for (int j = 0; j < 30; j++)
        {
            sum += joint[i, j];
            Assert.Equal(joint[i, j], joint[j, i]);
            Assert.Equal((conditional[i, j] + conditional[j, i]) / 60, joint[i, j], 15);
        }

        Assert.Equal(1.0, sum, 12);
    }

    // Printed by Fixtures/make_tsne_fixtures.py for these eight points.
    // scikit-learn 1.2.1, sklearn.manifold._t_sne._joint_probabilities, perplexity 3
    private static readonly double[,] ScikitLearnJoint =
    {
        { 0, 0.064274472638829461, 0.020782125890706129, 0.0047489017512620324, 0.0089977762445569067, 9.1260583171240482e-05, 0.00040874446079434919, 0.0016447664169278219 },
        { 0.064274472638829461, 0, 0.0069563416651304746, 0.0059904927174898254, 0.062237804507600976, 0.00045312038414415827, 0.0016608530087837122, 0.037136440252297523 },
        { 0.020782125890706129, 0.0069563416651304746, 0, 0.00050438569815352218, 0.05702635264581446, 0.0018204297295896217, 0.043997738410255165, 0.00075746939738531214 },
        { 0.0047489017512620324, 0.0059904927174898254, 0.00050438569815352218, 0, 0.039444286707418078, 0.052130955621080957, 0.00041263948415640916, 0.0055646798674666405 },
        { 0.0089977762445569067, 0.062237804507600976, 0.05702635264581446, 0.039444286707418078, 0, 0.019485814903254583, 0.023779624700837616, 0.028118836580851927 },
        { 9.1260583171240482e-05, 0.00045312038414415827, 0.0018204297295896217, 0.052130955621080957, 0.019485814903254583, 0, 0.0088277865387522865, 0.0015048871925161722 },
        { 0.00040874446079434919, 0.0016608530087837122, 0.043997738410255165, 0.00041263948415640916, 0.023779624700837616, 0.0088277865387522865, 0, 0.0012410120007726401 },
        { 0.0016447664169278219, 0.037136440252297523, 0.00075746939738531214, 0.0055646798674666405, 0.028118836580851927, 0.0015048871925161722, 0.0012410120007726401, 0 },
    };

    [Fact]
    public void JointProbabilities_MatchScikitLearn()
    {
        using var scope = NewDisposeScope();
        var points = tensor(new double[]
        {
            0, 0, 0, 1, 0, 2, 0, 3, 1, 4, 1, 0,
            2, 2, 2, 5, 4, 1, 1, 5, 3, 3, 0, 4,
        }).reshape(8, 3);

        var joint = ToArray(Tsne.JointProbabilities(points, 3));

        double worst = 0;
        for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++)
            worst = Math.Max(worst, Math.Abs(joint[i, j] - ScikitLearnJoint[i, j]));
        Assert.True(worst < 1e-12, $"largest difference from scikit-learn: {worst:E3}");
    }

    [Fact]
    public void JointProbabilities_EquilateralTriangle_AreOneSixthOffTheDiagonal()
    {
        using var scope = NewDisposeScope();
        var points = tensor(new double[] { 0, 0, 1, 0, 0.5, Math.Sqrt(3) / 2 }).reshape(3, 2);

        var joint = ToArray(Tsne.JointProbabilities(points, 2));

        for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            Assert.Equal(i == j ? 0 : 1.0 / 6, joint[i, j], 12);
    }

    [Fact]
    public void KullbackLeibler_TinyCase_MatchesEquationsTwoAndFourByHand()
    {
        // Uniform p_ij = 1/6 on three points at 0, 1, 3: kernels 1/2, 1/10, 1/5 (each pair twice), Z = 2 · 0.8.
        using var scope = NewDisposeScope();
        var p = full(3, 3, 1.0 / 6, dtype: ScalarType.Float64) - eye(3, dtype: ScalarType.Float64) / 6;
        var y = tensor(new double[] { 0, 1, 3 }).reshape(3, 1);

        double expected = 2 * (1.0 / 6) * (Math.Log(1.0 / 6 / (0.5 / 1.6)) + Math.Log(1.0 / 6 / (0.1 / 1.6)) + Math.Log(1.0 / 6 / (0.2 / 1.6)));

        Assert.Equal(expected, Tsne.KullbackLeibler(p, y), 12);
    }

    [Fact]
    public void Gradient_MatchesAutogradOfTheCost()
    {
        using var scope = NewDisposeScope();
        var p = Tsne.JointProbabilities(RandomPoints(12, 3, seed: 5), 4);
        var y = RandomPoints(12, 2, seed: 6).requires_grad_();

        // C of eq. 2 written out, differentiated by autograd, against eq. 5.
        var d2 = (y.unsqueeze(1) - y.unsqueeze(0)).square().sum(-1);
        var offDiagonal = eye(12, dtype: ScalarType.Bool).logical_not();
        var kernel = (1 + d2).reciprocal().masked_select(offDiagonal);
        var q = kernel / kernel.sum();
        var pOff = p.masked_select(offDiagonal);
        (pOff * (pOff / q).log()).sum().backward();

        var analytic = Tsne.Gradient(p, y.detach());
        Assert.True(allclose(analytic, y.grad!, rtol: 1e-10, atol: 1e-13), $"max difference {(analytic - y.grad!).abs().max().item<double>()}");
    }

    [Fact]
    public void Embed_ThreeSeparatedClusters_StayApartIn2D()
    {
        using var scope = NewDisposeScope();
        var (points, labels) = Clusters();

        var embedding = Tsne.Embed(points);

        Assert.Equal([60L, 2L], embedding.shape);
        Assert.Equal(ScalarType.Float64, embedding.dtype);
        var y = ToArray(embedding);
        double Distance(int a, int b) => Math.Sqrt(Math.Pow(y[a, 0] - y[b, 0], 2) + Math.Pow(y[a, 1] - y[b, 1], 2));
        for (int i = 0; i < 60; i++)
        {
            int nearest = Enumerable.Range(0, 60).Where(j => j != i).MinBy(j => Distance(i, j));
            Assert.True(labels[nearest] == labels[i], $"point {i} (cluster {labels[i]}) is nearest to point {nearest} (cluster {labels[nearest]})");
        }

        var centroids = Enumerable.Range(0, 3).Select(c => (
            X: Enumerable.Range(0, 60).Where(i => labels[i] == c).Average(i => y[i, 0]),
            Y: Enumerable.Range(0, 60).Where(i => labels[i] == c).Average(i => y[i, 1]))).ToArray();
        var radii = Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, 60).Where(i => labels[i] == c)
            .Max(i => Math.Sqrt(Math.Pow(y[i, 0] - centroids[c].X, 2) + Math.Pow(y[i, 1] - centroids[c].Y, 2)))).ToArray();
        for (int a = 0; a < 3; a++)
        for (int b = a + 1; b < 3; b++)
        {
            double apart = Math.Sqrt(Math.Pow(centroids[a].X - centroids[b].X, 2) + Math.Pow(centroids[a].Y - centroids[b].Y, 2));
            Assert.True(apart > radii[a] + radii[b], $"clusters {a} and {b}: centroids {apart:F2} apart, radii {radii[a]:F2} and {radii[b]:F2}");
        }
    }

    [Fact]
    public void Run_KullbackLeibler_FallsAfterTheExaggerationAndMatchesTheEmbedding()
    {
        using var scope = NewDisposeScope();
        var (points, _) = Clusters();

        var result = Tsne.Run(points);

        Assert.Equal(Enumerable.Range(1, 20).Select(k => 50 * k), result.Trajectory.Select(t => t.Iteration));
        var late = result.Trajectory.Where(t => t.Iteration >= 300).Select(t => t.KullbackLeibler).ToArray();
        for (int k = 1; k < late.Length; k++)
            Assert.True(late[k] <= late[k - 1] + 1e-9, $"KL rose from {late[k - 1]} to {late[k]} at iteration {300 + 50 * k}");
        Assert.True(late[^1] < late[0], $"KL at 1000 ({late[^1]}) should be below KL at 300 ({late[0]})");
        var p = Tsne.JointProbabilities(points, 30);
        Assert.Equal(Tsne.KullbackLeibler(p, result.Embedding), result.Trajectory[^1].KullbackLeibler, 12);
    }

    [Fact]
    public void Run_TrajectoryEndsWithTheLastIteration()
    {
        using var scope = NewDisposeScope();
        var result = Tsne.Run(RandomPoints(10, 3, seed: 1), new TsneOptions { Perplexity = 3, Iterations = 120, ExaggerationIterations = 30 });

        Assert.Equal([50, 100, 120], result.Trajectory.Select(t => t.Iteration));
    }

    [Fact]
    public void Embed_SameSeed_IsIdentical_DifferentSeed_IsNot()
    {
        using var scope = NewDisposeScope();
        var points = RandomPoints(25, 6, seed: 2);
        var options = new TsneOptions { Perplexity = 5, Iterations = 300, Seed = 42, Dimensions = 3 };

        var first = Tsne.Embed(points, options);
        var again = Tsne.Embed(points, options);
        var other = Tsne.Embed(points, options with { Seed = 43 });

        Assert.Equal([25L, 3L], first.shape);
        Assert.Equal(first.data<double>().ToArray(), again.data<double>().ToArray());
        Assert.False(first.allclose(other), "seeds 42 and 43 gave the same embedding");
    }

    [Fact]
    public void Embed_PerplexityTooLarge_NamesPerplexity()
    {
        using var scope = NewDisposeScope();
        var points = RandomPoints(20, 3, seed: 4);

        var error = Assert.Throws<ArgumentException>(() => Tsne.Embed(points));

        Assert.Equal(nameof(TsneOptions.Perplexity), error.ParamName);
        Assert.Contains("Perplexity is 30", error.Message);
        Assert.Contains("N − 1 = 19", error.Message);
        Assert.Throws<ArgumentException>(() => Tsne.JointProbabilities(points, 20));
    }

    [Fact]
    public void Embed_TwoPoints_SaysThreeAreNeeded()
    {
        using var scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => Tsne.Embed(RandomPoints(2, 3, seed: 4), new TsneOptions { Perplexity = 1 }));

        Assert.Equal("points", error.ParamName);
        Assert.Contains("at least 3 points", error.Message);
    }

    [Fact]
    public void Embed_NaNOrInfinity_IsRefused()
    {
        using var scope = NewDisposeScope();
        var points = RandomPoints(10, 3, seed: 4);
        points[2, 1] = double.NaN;
        points[5, 0] = double.PositiveInfinity;

        var error = Assert.Throws<ArgumentException>(() => Tsne.Embed(points, new TsneOptions { Perplexity = 3 }));

        Assert.Contains("2 NaN or infinite values", error.Message);
    }

    [Fact]
    public void Embed_NotAMatrix_IsRefused()
    {
        using var scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => Tsne.Embed(zeros(4, 3, 2)));

        Assert.Contains("2-D [N, D]", error.Message);
        Assert.Contains("[4, 3, 2]", error.Message);
    }

    [Theory]
    [InlineData(nameof(TsneOptions.Iterations))]
    [InlineData(nameof(TsneOptions.LearningRate))]
    [InlineData(nameof(TsneOptions.EarlyExaggeration))]
    [InlineData(nameof(TsneOptions.ExaggerationIterations))]
    [InlineData(nameof(TsneOptions.Dimensions))]
    public void Validate_BadSetting_IsNamed(string setting)
    {
        var options = setting switch
        {
            nameof(TsneOptions.Iterations) => new TsneOptions { Iterations = 0, ExaggerationIterations = 0 },
            nameof(TsneOptions.LearningRate) => new TsneOptions { LearningRate = -1 },
            nameof(TsneOptions.EarlyExaggeration) => new TsneOptions { EarlyExaggeration = 0.5 },
            nameof(TsneOptions.ExaggerationIterations) => new TsneOptions { ExaggerationIterations = -1 },
            _ => new TsneOptions { Dimensions = 0 },
        };

        var error = Assert.Throws<ArgumentException>(() => options.Validate(100));

        Assert.Equal(setting, error.ParamName);
    }
}
