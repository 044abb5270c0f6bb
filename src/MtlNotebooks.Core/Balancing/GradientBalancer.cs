using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>Balancers that manipulate task gradients (survey §3.1.5; MGDA, PCGrad, CAGrad, IMTL-G, Nash-MTL, GradDrop).
/// The base computes the task gradients G ∈ R^{T×P} once, flattened into one matrix, and hands them to
/// <see cref="Combine"/>:
/// <list type="bullet">
/// <item><see cref="GradientScope.SharedParameters"/>: T backward passes, one per task with <c>retain_graph</c> until the
/// last. That is the minimum for per-task gradients, and each pass also leaves task t's gradient in its task-specific
/// parameters, so after the T passes those hold the gradient of Σ_t L_t without a further pass. The shared gradients
/// are read from <c>.grad</c> after each pass and the combined one is written back.</item>
/// <item><see cref="GradientScope.LastSharedLayer"/>: <c>torch.autograd.grad</c> of each L_t with respect to the last shared
/// layer only (<c>retain_graph: true</c>), then one backward pass of Σ_t w_t L_t.</item>
/// </list>
/// With fewer than two tasks or no shared parameters (the single-task baselines) there is nothing to balance: every
/// gradient balancer then back-propagates the plain sum with weights 1.</summary>
public abstract class GradientBalancer : LossBalancer
{
    protected GradientBalancer(string name) : base(name) { }

    /// <summary>Where the task gradients are taken.</summary>
    protected virtual GradientScope Scope => GradientScope.SharedParameters;

    /// <summary>The losses whose gradients are balanced, from the task losses [T] (differentiable). Identity by default;
    /// IMTL scales them by its learnable e^{s_t} first.</summary>
    protected virtual Tensor TransformLosses(Tensor losses) => losses;

    /// <summary>Combines the task gradients <paramref name="gradients"/> [T, P] (float32, rows in task order) given the
    /// values of the (transformed) losses. With <see cref="GradientScope.SharedParameters"/> it must return the
    /// combined gradient [P]; with the other scopes it returns only weights.</summary>
    protected abstract GradientCombination Combine(Tensor gradients, double[] losses, StepContext step);

    public sealed override BalancerStep Backward(TaskLosses losses, StepContext step)
    {
        var parameters = (Scope == GradientScope.LastSharedLayer ? step.LastSharedParameters : step.SharedParameters)
            .Where(p => p.requires_grad).ToArray();
        if (losses.Count < 2 || parameters.Length == 0) return PlainSum(losses);

        using var scope = NewDisposeScope();
        var balanced = TransformLosses(losses.Stack());
        var values = balanced.detach().cpu().to(ScalarType.Float64).data<double>().ToArray();
        int tasks = losses.Count;
        var gradients = (Scope == GradientScope.SharedParameters ? BackwardPerTask(balanced, parameters) : TaskGradients(balanced, parameters)).detach();
        var norms = RowNorms(gradients).cpu().to(ScalarType.Float64).data<double>().ToArray();
        var (shared, weights) = Combine(gradients, values, step);
        if (weights.Length != tasks)
            throw new InvalidOperationException($"{GetName()}: Combine returned {weights.Length} weights for {tasks} tasks.");
        var weightTensor = tensor(weights, ScalarType.Float32).to(balanced.device);
        if (Scope == GradientScope.SharedParameters)
        {
            if (shared is null)
                throw new InvalidOperationException($"{GetName()}: Combine must return the combined shared gradient for GradientScope.SharedParameters.");
            WriteGradient(parameters, shared);
        }
        else
        {
            (weightTensor * balanced).sum().backward();
        }

        return new BalancerStep(PerTaskValues(losses.Tasks, weights), weights.Zip(values, (w, l) => w * l).Sum())
        {
            GradientNorms = PerTaskValues(losses.Tasks, norms),
        };
    }

    /// <summary>Σ_t w_t g_t: the gradient a set of per-task weights gives, [P].</summary>
    protected static Tensor Weighted(Tensor gradients, double[] weights) =>
        matmul(tensor(weights, ScalarType.Float32).to(gradients.device), gradients);

    /// <summary>The Gram matrix G Gᵀ [T, T] of the task gradients as doubles: every balancer that works in the span
    /// of the task gradients (MGDA, PCGrad, CAGrad, IMTL-G, Nash-MTL) needs only this.</summary>
    protected static double[,] Gram(Tensor gradients)
    {
        using var scope = NewDisposeScope();
        int tasks = (int)gradients.shape[0];
        var flat = gradients.to(ScalarType.Float64).mm(gradients.to(ScalarType.Float64).t()).cpu().data<double>().ToArray();
        var gram = new double[tasks, tasks];
        for (int i = 0; i < tasks; i++)
            for (int j = 0; j < tasks; j++) gram[i, j] = flat[i * tasks + j];
        return gram;
    }

    /// <summary>The gradients [T, P] of each of the <paramref name="losses"/> [T] with respect to <paramref name="parameters"/>,
    /// one flattened row per task (zeros where a parameter does not reach the loss), taken with <c>torch.autograd.grad</c>:
    /// no <c>.grad</c> changes and the graph is kept.</summary>
    internal static Tensor TaskGradients(Tensor losses, IReadOnlyList<Parameter> parameters)
    {
        var rows = new Tensor[losses.shape[0]];
        for (int t = 0; t < rows.Length; t++)
        {
            var grads = autograd.grad([losses[t]], parameters.ToArray(), retain_graph: true, allow_unused: true);
            rows[t] = cat(parameters.Select((p, i) => IsDefined(grads[i]) ? grads[i].flatten() : zeros(p.numel(), device: p.device)).ToArray());
        }
        return stack(rows);
    }

    /// <summary>The L2 norm of every row of <paramref name="gradients"/> [T, P]: each task's gradient norm, [T].</summary>
    internal static Tensor RowNorms(Tensor gradients)
    {
        using Scalar two = 2;
        return gradients.pow(two).sum(1).sqrt();
    }

    /// <summary>One backward pass per task (<see cref="GradientScope.SharedParameters"/>): the task's shared gradient is read
    /// from <c>.grad</c> and cleared, its task-specific gradients stay and add up.</summary>
    private static Tensor BackwardPerTask(Tensor losses, IReadOnlyList<Parameter> parameters)
    {
        int tasks = (int)losses.shape[0];
        var rows = new Tensor[tasks];
        for (int t = 0; t < tasks; t++)
        {
            losses[t].backward(retain_graph: t < tasks - 1);
            using (no_grad())
            {
                rows[t] = cat(parameters.Select(p => p.grad is { } g ? g.flatten().clone() : zeros(p.numel(), device: p.device)).ToArray());
                foreach (var p in parameters) p.grad?.zero_();
            }
        }
        return stack(rows);
    }

    private static void WriteGradient(IReadOnlyList<Parameter> parameters, Tensor combined)
    {
        using var _ = no_grad();
        long offset = 0;
        foreach (var p in parameters)
        {
            long n = p.numel();
            if (p.grad is { } g) g.copy_(combined.narrow(0, offset, n).view_as(g));
            offset += n;
        }
    }

    private static bool IsDefined(Tensor? t) => t is { IsInvalid: false };
}
