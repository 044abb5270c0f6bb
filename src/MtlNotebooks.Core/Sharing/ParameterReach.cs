using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Sharing;

/// <summary>Which parameters each task's loss reaches in a network's autograd graph, by parameter name (the names of
/// <c>named_parameters()</c>), and what follows from it: the shared parameters (reached by two or more tasks) and the
/// last shared layer. A task's loss is a function of its output and its intermediate predictions (deep supervision), so
/// the parameters its loss reaches are those its outputs reach. Measured by <see cref="Measure"/>; every
/// <see cref="MultiTaskNet"/> measures itself once (<see cref="MultiTaskNet.Reach"/>).</summary>
/// <param name="ByTask">Per task (main, then auxiliary, as the outputs name them): the parameters its outputs reach.</param>
/// <param name="Shared">The parameters two or more tasks reach, in registration order.</param>
/// <param name="LastShared">The last shared layer (<see cref="MultiTaskNet.LastSharedParameters"/>), a subset of <paramref name="Shared"/>.</param>
public sealed record ParameterReach(
    IReadOnlyDictionary<string, IReadOnlyList<string>> ByTask,
    IReadOnlyList<string> Shared,
    IReadOnlyList<string> LastShared)
{
    /// <summary>Images in the probe batch: two, so that batch norm in training mode has more than one value per channel
    /// even after global pooling (DeepLab's ASPP).</summary>
    public const int ProbeBatch = 2;

    /// <summary>Runs <paramref name="network"/> on a probe batch of <see cref="ProbeBatch"/> random images in training mode, once per
    /// training pass (<see cref="MultiTaskNet.TrainingPasses"/>: a task-conditional network such as ASTMT runs
    /// <c>Forward(image, [task])</c> for each task, and reachability is compared across the passes), and asks autograd
    /// which parameters each task's outputs reach (<c>autograd.grad</c> with <c>allow_unused</c>: an undefined gradient
    /// means no path). Frozen parameters are counted as if trainable, so freezing a layer does not change what is shared.
    /// The images are of the network's <see cref="MultiTaskNet.InputSize"/> when it has one, else their side is two coarsest strides of the network's backbones, at least 32 (64 when it has none
    /// that publishes its levels). Weights, buffers (batch-norm running statistics), training flags,
    /// <c>requires_grad</c> flags and the global random number generator are left as they were.</summary>
    public static ParameterReach Measure(MultiTaskNet network)
    {
        var named = network.named_parameters().ToArray();
        if (named.Length == 0) return new ParameterReach(new Dictionary<string, IReadOnlyList<string>>(), [], []);
        var names = named.Select(p => p.name).ToArray();
        var device = named[0].parameter.device;
        var reached = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);

        var rng = random.get_rng_state();
        var flags = named.Select(p => p.parameter.requires_grad).ToArray();
        var modes = network.named_modules().Select(m => m.module).Prepend(network).Select(m => (Module: m, m.training)).ToArray();
        Tensor[] saved;
        using (no_grad()) saved = network.named_buffers().Select(b => b.buffer.clone()).ToArray();
        try
        {
            using var grad = enable_grad();
            using var scope = NewDisposeScope();
            foreach (var (_, p) in named) p.requires_grad = true;
            network.train();
            using var generator = new Generator(seed: 0);
            var (height, width) = ProbeSize(network);
            var image = randn([ProbeBatch, 3, height, width], generator: generator).to(device);
            var parameters = named.Select(p => (Tensor)p.parameter).ToArray();
            foreach (var pass in network.TrainingPasses())
            {
                var outputs = network.Forward(image, pass);
                var tasks = outputs.Keys.Concat(outputs.Intermediate.Select(p => p.Task)).Distinct().ToArray();
                foreach (var task in tasks)
                {
                    var set = reached.TryGetValue(task, out var known) ? known : reached[task] = new HashSet<string>(StringComparer.Ordinal);
                    var terms = (outputs.ContainsKey(task) ? [outputs[task]] : Array.Empty<Tensor>())
                        .Concat(outputs.Intermediate.Where(p => p.Task == task).Select(p => p.Output))
                        .Where(t => t.requires_grad).Select(t => t.sum()).ToArray();
                    if (terms.Length == 0) continue;
                    var grads = autograd.grad([terms.Aggregate((a, b) => a.add(b, One))], parameters, retain_graph: true, allow_unused: true);
                    for (int i = 0; i < names.Length; i++)
                        if (grads[i] is { IsInvalid: false }) set.Add(names[i]);
                }
            }
        }
        catch (Exception ex) when (ex is System.Runtime.InteropServices.ExternalException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"{network.GetName()}: the probe forward that finds the shared parameters failed on random images of {ProbeSize(network).Height}×{ProbeSize(network).Width}: " +
                ex.Message.Split('\n')[0], ex);
        }
        finally
        {
            using (no_grad())
                foreach (var (buffer, copy) in network.named_buffers().Select(b => b.buffer).Zip(saved))
                {
                    buffer.copy_(copy);
                    copy.Dispose();
                }
            for (int i = 0; i < named.Length; i++) named[i].parameter.requires_grad = flags[i];
            foreach (var (module, training) in modes) module.train(training);
            random.set_rng_state(rng);
            rng.Dispose();
        }

        var shared = names.Where(n => reached.Values.Count(s => s.Contains(n)) >= 2).ToArray();
        var byTask = reached.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)names.Where(kv.Value.Contains).ToArray(), StringComparer.Ordinal);
        return new ParameterReach(byTask, shared, LastLayer(network, shared.ToHashSet(StringComparer.Ordinal), byTask.Keys.ToHashSet()));
    }

    /// <summary>The network's own input size when it takes only one; else a square of two coarsest strides of the backbones in
    /// the network, at least 32; 64 when none publishes its levels.</summary>
    private static (int Height, int Width) ProbeSize(MultiTaskNet network)
    {
        if (network.InputSize is { } fixedSize) return fixedSize;
        var strides = network.modules().OfType<Backbone>().SelectMany(b => b.Features.Levels).Select(l => l.Stride).ToArray();
        if (strides.Length == 0) return (64, 64);
        int stride = strides.Max();
        int side = stride * Math.Max(2, (32 + stride - 1) / stride);
        return (side, side);
    }

    /// <summary>The last shared layer (see <see cref="MultiTaskNet.LastSharedParameters"/>) as parameter names.</summary>
    private static IReadOnlyList<string> LastLayer(nn.Module network, HashSet<string> shared, HashSet<string> tasks)
    {
        if (shared.Count == 0) return [];
        static IEnumerable<(string Prefix, nn.Module Module)> Children(string prefix, nn.Module m) =>
            m.named_children().Select(c => (prefix + c.name + ".", c.module));
        IEnumerable<string> Names((string Prefix, nn.Module Module) part) => part.Module.named_parameters().Select(p => part.Prefix + p.name);
        bool AllShared((string, nn.Module) part) => Names(part).All(shared.Contains);
        bool AnyShared((string, nn.Module) part) => Names(part).Any(shared.Contains);

        (string Prefix, nn.Module Module) part = ("", network);
        while (!AllShared(part))
        {
            var next = Children(part.Prefix, part.Module).LastOrDefault(AnyShared);
            if (next.Module is null) return [.. Names(("", network)).Where(shared.Contains)];   // shared parameters registered on a mixed module
            part = next;
        }
        return [.. Descend(part).Where(shared.Contains)];

        IEnumerable<string> Descend((string Prefix, nn.Module Module) part)
        {
            while (true)
            {
                var children = Children(part.Prefix, part.Module).Where(c => c.Module.parameters().Any()).ToArray();
                if (children.Length == 0) return Names(part);
                var type = part.Module.GetType();
                var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : null;
                // Parallel per-task branches, all shared: the last layer of each.
                if (generic == typeof(ModuleDict<>) && children.Length > 1 &&
                    part.Module.named_children().All(c => tasks.Contains(c.name)))
                    return children.SelectMany(Descend).ToArray();
                var last = children[^1];
                var lastType = last.Module.GetType();
                bool container = lastType.IsGenericType && lastType.GetGenericTypeDefinition() is var g &&
                                 (g == typeof(ModuleList<>) || g == typeof(ModuleDict<>));
                part = last;
                if (!container && !IsTaskDictionary(last.Module)) return Names(part);
            }
        }

        bool IsTaskDictionary(nn.Module m) =>
            m.GetType() is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(ModuleDict<>) &&
            m.named_children().Count() > 1 && m.named_children().All(c => tasks.Contains(c.name));
    }
}
