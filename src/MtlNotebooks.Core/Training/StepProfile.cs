using System.Diagnostics;
using static TorchSharp.torch;

namespace MtlNotebooks.Training;

/// <summary>Where a training step's time goes: the trainer adds each phase's wall time (data, forward, loss, backward —
/// the balancer's, which owns it —, optimiser, evaluation) when <see cref="TrainingOptions.Profile"/> is set, and
/// <see cref="Attach"/> adds the forward time of a network's modules. On the CPU libtorch returns from an operator when it is
/// done, so wall time is the operator's time. Phases: <see cref="Data"/>, <see cref="ForwardPhase"/>, …</summary>
public sealed class StepProfile
{
    public const string Data = "data", ForwardPhase = "forward", Loss = "loss", BackwardPhase = "backward",
        Optimizer = "optimiser", Evaluation = "evaluation";

    private readonly Dictionary<string, long> _phases = new();
    private readonly Dictionary<string, long> _modules = new();
    private readonly Dictionary<nn.Module, long> _started = new();

    /// <summary>Training steps counted since the last <see cref="Reset"/>.</summary>
    public long Steps { get; private set; }

    /// <summary>Forgets everything measured (after warm-up steps, say).</summary>
    public void Reset()
    {
        _phases.Clear();
        _modules.Clear();
        Steps = 0;
    }

    internal void CountStep() => Steps++;

    /// <summary>Runs <paramref name="body"/>, adding its time to <paramref name="phase"/> of <paramref name="profile"/> when there is one.</summary>
    internal static T Measure<T>(StepProfile? profile, string phase, Func<T> body) => profile is null ? body() : profile.Time(phase, body);

    internal T Time<T>(string phase, Func<T> body)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            return body();
        }
        finally
        {
            _phases[phase] = _phases.GetValueOrDefault(phase) + (Stopwatch.GetTimestamp() - start);
        }
    }

    /// <summary>Measures the forward time of <paramref name="network"/>'s modules down to <paramref name="depth"/> levels
    /// (1: its children, 2: also theirs) through forward hooks; disposing the result removes the hooks. A module's time
    /// includes its children's.</summary>
    public IDisposable Attach(nn.Module network, int depth = 2)
    {
        ArgumentNullException.ThrowIfNull(network);
        var removers = new List<Action>();
        foreach (var (name, module) in network.named_modules().Where(m => m.name.Length > 0 && m.name.Count(c => c == '.') < depth))
        {
            var pre = FindHook(module, "register_forward_pre_hook");
            var post = FindHook(module, "register_forward_hook");
            if (pre is null || post is null) continue;
            var key = name;
            Action<nn.Module> started = m => _started[m] = Stopwatch.GetTimestamp();
            Action<nn.Module> finished = m =>
            {
                if (_started.Remove(m, out var start)) _modules[key] = _modules.GetValueOrDefault(key) + (Stopwatch.GetTimestamp() - start);
            };
            foreach (var remover in new[] { pre.Invoke(module, [started]), post.Invoke(module, [finished]) })
                if (remover?.GetType().GetMethod("remove") is { } remove) removers.Add(() => remove.Invoke(remover, null));
        }
        return new Detach(removers);
    }

    /// <summary>One row per phase: ms per step and share of the step in % (evaluation, outside the steps, has NaN).
    /// <c>PhaseTable()</c> in <c>MtlNotebooks.Analysis</c> gives it as a DataFrame.</summary>
    public IReadOnlyList<(string Phase, double MillisecondsPerStep, double ShareOfStep)> PhaseTimes()
    {
        var order = new[] { Data, ForwardPhase, Loss, BackwardPhase, Optimizer, Evaluation };
        var phases = order.Where(_phases.ContainsKey).Concat(_phases.Keys.Except(order)).ToList();
        double step = phases.Where(p => p != Evaluation).Sum(p => Milliseconds(_phases[p]));
        return [.. phases.Select(p => (p, Milliseconds(_phases[p]) / Math.Max(1, Steps), p == Evaluation ? double.NaN : 100 * Milliseconds(_phases[p]) / step))];
    }

    /// <summary>One row per attached module, slowest first: forward ms per step (training steps and evaluation batches alike).</summary>
    public IReadOnlyList<(string Module, double ForwardMillisecondsPerStep)> ModuleTimes() =>
        [.. _modules.OrderByDescending(m => m.Value).Select(m => (m.Key, Milliseconds(m.Value) / Math.Max(1, Steps)))];

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    /// <summary>TorchSharp's hookable modules take an <c>Action&lt;Module&gt;</c> hook whatever their input and output types.</summary>
    private static System.Reflection.MethodInfo? FindHook(nn.Module module, string name) =>
        module.GetType().GetMethods().FirstOrDefault(m => m.Name == name && m.GetParameters() is [{ ParameterType: var p }] && p == typeof(Action<nn.Module>));

    private sealed class Detach(List<Action> removers) : IDisposable
    {
        public void Dispose()
        {
            foreach (var remove in removers) remove();
            removers.Clear();
        }
    }
}
