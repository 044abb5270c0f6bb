using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Checks;

/// <summary>What every contract check does: run a component in training and evaluation mode, catch its failures as
/// problems in words, keep the global random number generator as it was, and describe shapes and counts.</summary>
internal static class ContractRun
{
    /// <summary>Runs <paramref name="module"/> in training mode (forward and backward) and then in evaluation mode without
    /// gradients, on the same random input, adding what <paramref name="check"/> finds and any parameter without a gradient.</summary>
    internal static void Exercise<TIn, TOut>(List<string> problems, string owner, nn.Module<TIn, TOut> module,
        Func<Generator, TIn> input, Func<TOut, string, IEnumerable<string>> check, Func<TOut, IEnumerable<Tensor>> outputs) where TOut : class
    {
        using var generator = new Generator(seed: 0);
        var x = input(generator);
        module.train();
        var trained = Guard(problems, owner, $"forward (training mode)", () => module.call(x));
        if (trained is null) return;
        int before = problems.Count;
        problems.AddRange(check(trained, ""));
        if (problems.Count > before) return;

        var trainable = module.named_parameters().Where(p => p.parameter.requires_grad).ToArray();
        if (trainable.Length > 0)
        {
            var terms = outputs(trained).Where(t => t.requires_grad).Select(t => t.square().mean()).ToArray();
            if (terms.Length > 0 && Guard(problems, owner, "backward", () => { terms.Aggregate((a, b) => a.add(b, One)).backward(); return string.Empty; }) is null)
                return;
            var missing = trainable.Where(p => p.parameter.grad is null).Select(p => p.name).ToArray();
            if (missing.Length > 0)
                problems.Add($"{owner}: no gradient reaches {Count(missing.Length, "trainable parameter")} ({List(missing, 5)}); " +
                             "every trainable parameter must take part in forward, or be frozen with requires_grad = false.");
            var nonFinite = trainable.Where(p => p.parameter.grad is { } g && NonFinite(g)).Select(p => p.name).ToArray();
            if (nonFinite.Length > 0)
                problems.Add($"{owner}: the gradient of {Count(nonFinite.Length, "parameter")} ({List(nonFinite, 5)}) has NaN or infinite values.");
        }

        module.eval();
        using (no_grad())
        {
            var evaluated = Guard(problems, owner, "forward (evaluation mode)", () => module.call(x));
            if (evaluated is not null) problems.AddRange(check(evaluated, " in evaluation mode"));
        }
    }

    /// <summary>Runs <paramref name="body"/> and restores the global random number generator afterwards, so a check never
    /// changes the initialisation or the training that follow it.</summary>
    internal static T Isolated<T>(Func<T> body)
    {
        var state = random.get_rng_state();
        try
        {
            return body();
        }
        finally
        {
            random.set_rng_state(state);
            state.Dispose();
        }
    }

    /// <summary>The module and its descendants, parents first, with their training flags, to put back after a forward in
    /// evaluation mode (a parent's train() sets its children, so the children's own flags are restored after it).</summary>
    internal static (nn.Module Module, bool Training)[] TrainingFlags(nn.Module module) =>
        [.. Descendants(module).Select(m => (m, m.training))];

    /// <summary>The module, then its descendants, parents before children.</summary>
    internal static IEnumerable<nn.Module> Descendants(nn.Module module) => module.named_modules().Select(m => m.module).Prepend(module);

    internal static T? Guard<T>(List<string> problems, string owner, string step, Func<T> action) where T : class
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (Reportable(ex))
        {
            problems.Add($"{owner}: {step} failed: {Describe(ex)}");
            return null;
        }
    }

    /// <summary>Exceptions a component's own code or libtorch raise for a mistake in the component; not the runtime's own failures.</summary>
    internal static bool Reportable(Exception ex) => ex is not (OutOfMemoryException or StackOverflowException or AccessViolationException);

    internal static string Describe(Exception ex) =>
        $"{(ex is ExternalException ? "libtorch" : ex.GetType().Name)}: {ex.Message.Split('\n')[0].Trim()}";

    internal static bool NonFinite(Tensor t)
    {
        using var _ = no_grad();
        using var finite = t.isfinite().all();
        return !finite.item<bool>();
    }

    internal static string Shape(Tensor t) => Shape(t.shape);
    internal static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";
    internal static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    internal static string List(IEnumerable<string> names, int max = int.MaxValue)
    {
        var all = names.ToArray();
        return all.Length <= max ? string.Join(", ", all) : $"{string.Join(", ", all.Take(max))} and {all.Length - max} more";
    }
}
