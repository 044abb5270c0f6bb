using MtlNotebooks.Modules.SingleTasking;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.SingleTasking;

/// <summary>The pieces of ASTMT's adversarial term (§4) against hand-computed values and finite differences.</summary>
[Collection("Torch")]
public sealed class GradientDiscriminatorTests
{
    [Fact]
    public void ReverseGradient_IsTheIdentityForwardAndMinusAlphaTimesTheGradientBackward()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.5f, -2f, 0.25f }).requires_grad_(true);
        var weights = tensor(new[] { 3f, -1f, 2f });
        var y = GradientDiscriminator.ReverseGradient(x, 0.4);
        Assert.True(y.allclose(x.detach()));
        (y * weights).sum().backward();
        Assert.True(x.grad!.allclose(weights * -0.4f), $"got {string.Join(", ", x.grad!.data<float>().ToArray())}");
    }

    [Theory]
    [InlineData(0, 10, 0.46211715726000974)]   // 2/(1+e^-1) − 1 = tanh(1/2)
    [InlineData(4, 10, 0.9866142981514303)]    // tanh(5/2)
    [InlineData(9, 10, 0.9999092042625951)]    // tanh(5)
    public void Ramp_FollowsGaninEtAlPerEpoch(int epoch, int epochs, double expected) =>
        Assert.Equal(expected, GradientDiscriminator.Ramp(epoch, epochs), 12);

    /// <summary>S(θ) = Σ v·normalise(∂L/∂f) with f = θ ⊙ x and L = Σ (f·a)²: the gradient of S through the double
    /// backprop equals central finite differences in float64.</summary>
    [Fact]
    public void TaskGradient_DoubleBackprop_MatchesFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(7);
        var x = randn([1, 3, 2, 2], ScalarType.Float64, generator: generator);
        var a = randn([1, 3, 2, 2], ScalarType.Float64, generator: generator);
        var v = randn([1, 3, 2, 2], ScalarType.Float64, generator: generator);
        double S(Tensor theta, bool differentiable, out Tensor? gradient)
        {
            var t = theta.detach().requires_grad_(true);
            var f = t * x;
            var loss = (f * a).pow(2).sum();
            // α = 0: the reversal passes no gradient back, so use α = −1 (plain identity backward) to check the second-order path.
            var input = GradientDiscriminator.TaskGradient(loss, f, alpha: -1);
            var s = (v * input).sum();
            gradient = differentiable ? autograd.grad([s], [t])[0] : null;
            return s.item<double>();
        }
        var theta0 = randn([1, 3, 2, 2], ScalarType.Float64, generator: generator);
        S(theta0, true, out var analytic);
        var flat = theta0.flatten();
        const double h = 1e-6;
        for (int i = 0; i < flat.shape[0]; i++)
        {
            var plus = flat.clone(); plus[i] += h;
            var minus = flat.clone(); minus[i] -= h;
            double numeric = (S(plus.view_as(theta0), false, out _) - S(minus.view_as(theta0), false, out _)) / (2 * h);
            Assert.Equal(numeric, analytic!.flatten()[i].item<double>(), 6);
        }
    }

    [Fact]
    public void TaskGradient_IsUnitLengthAtEveryPixel()
    {
        using var scope = NewDisposeScope();
        var f = randn(2, 5, 3, 3).requires_grad_(true);
        var loss = (f.pow(3) * randn(2, 5, 3, 3)).sum();
        var input = GradientDiscriminator.TaskGradient(loss, f, 1.0);
        Assert.True(linalg.vector_norm(input, 2, [1]).allclose(ones(2, 3, 3), 0, 1e-5));
    }

    [Fact]
    public void Target_IsTheTaskIndexWhereTheLabelIsValid_AndIgnoredWhere255()
    {
        using var scope = NewDisposeScope();
        var label = tensor(new long[] { 3, 255, 255, 0, 1, 2, 255, 4 }).reshape(1, 2, 4);   // [B, H, W] segmentation
        var target = GradientDiscriminator.Target(label, 2, 2, 4);
        Assert.Equal(new long[] { 2, 255, 255, 2, 2, 2, 255, 2 }, target.flatten().data<long>().ToArray());
        var depth = full(1, 1, 8, 8, 0.7f);                                                  // [B, 1, H, W], never 255
        Assert.True(GradientDiscriminator.Target(depth, 1, 4, 4).eq(1).all().item<bool>());
    }

    /// <summary>Two tasks whose losses pull the features in different directions: the discriminator learns to tell their
    /// normalised gradients apart (accuracy 1) within 100 Adam steps.</summary>
    [Fact]
    public void Discriminator_SeparatesGradientsOfClearlyDifferentTasks()
    {
        manual_seed(3);
        using var discriminator = new GradientDiscriminator(8, 2);
        using var optimizer = optim.Adam(discriminator.parameters(), 0.01);
        var directions = new[] { randn(1, 8, 1, 1), randn(1, 8, 1, 1) };
        double accuracy = 0;
        for (int step = 0; step < 100; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var inputs = new List<Tensor>();
            var targets = new List<Tensor>();
            for (int task = 0; task < 2; task++)
            {
                var f = randn(4, 8, 4, 4).requires_grad_(true);
                var loss = (f * directions[task]).sum() + 0.1 * f.pow(2).sum();     // gradient ≈ direction + noise
                inputs.Add(GradientDiscriminator.TaskGradient(loss, f, 1.0).detach());
                targets.Add(full(4, 4, 4, task, ScalarType.Int64));
            }
            var logits = discriminator.call(cat(inputs, 0));
            var target = cat(targets, 0);
            nn.functional.cross_entropy(logits, target).backward();
            optimizer.step();
            accuracy = logits.argmax(1).eq(target).to(ScalarType.Float32).mean().item<float>();
        }
        Assert.Equal(1.0, accuracy, 3);
    }
}
