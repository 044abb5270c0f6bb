using System.Collections.Immutable;
using System.Runtime.InteropServices;
using MtlNotebooks.Balancing;
using MtlNotebooks.Checks;
using MtlNotebooks.Modules.SingleTasking;
using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>The immutable fluent builder of a multi-task model. Each call returns a new builder, so a notebook can branch
/// a configuration (<c>var b2 = b1.UseBalancer(...)</c>) without changing <c>b1</c>. <see cref="Plan"/> validates
/// everything without allocating a tensor; <see cref="Build"/> validates, then creates the modules.</summary>
public sealed record MultiTaskNetBuilder
{
    public IBackbone? Backbone { get; private init; }
    public ImmutableList<IDenseTask> Tasks { get; private init; } = [];
    public ImmutableList<IDenseTask> AuxiliaryTasks { get; private init; } = [];
    public IArchitecture Architecture { get; private init; } = Architectures.HardSharing();
    public ILossBalancer Balancer { get; private init; } = Balancers.FixedWeights();
    public int Seed { get; private init; }
    public string Device { get; private init; } = "cpu";
    public bool ChannelsLast { get; private init; }

    public MultiTaskNetBuilder UseBackbone(IBackbone backbone) =>
        this with { Backbone = backbone ?? throw new ArgumentNullException(nameof(backbone)) };

    /// <summary>Adds a main task: it gets a final output, a loss and metrics (and counts in Δm).</summary>
    public MultiTaskNetBuilder AddTask(IDenseTask task) =>
        this with { Tasks = Tasks.Add(task ?? throw new ArgumentNullException(nameof(task))) };

    /// <summary>Adds an auxiliary task: trained to help the main tasks (MTI-Net §3.4), not evaluated.</summary>
    public MultiTaskNetBuilder AddAuxiliaryTask(IDenseTask task) =>
        this with { AuxiliaryTasks = AuxiliaryTasks.Add(task ?? throw new ArgumentNullException(nameof(task))) };

    public MultiTaskNetBuilder UseArchitecture(IArchitecture architecture) =>
        this with { Architecture = architecture ?? throw new ArgumentNullException(nameof(architecture)) };

    public MultiTaskNetBuilder UseBalancer(ILossBalancer balancer) =>
        this with { Balancer = balancer ?? throw new ArgumentNullException(nameof(balancer)) };

    /// <summary>Seed of the weight initialisation (and, in the trainer, of the data order).</summary>
    public MultiTaskNetBuilder WithSeed(int seed) => this with { Seed = seed };

    /// <summary>"cpu", "cuda" or "cuda:N". CUDA needs the TorchSharp-cuda-linux build (README, "GPU").</summary>
    public MultiTaskNetBuilder WithDevice(string device) =>
        this with { Device = device ?? throw new ArgumentNullException(nameof(device)) };

    /// <summary>Feeds the network its images channels-last (<see cref="Runtime.MemoryLayout"/>), so libtorch runs oneDNN's
    /// channels-last kernels in every convolution: the same model and maths, faster on many CPUs, results equal up to float
    /// rounding (the kernels sum in another order). Weights stay as they are, so checkpoints do not change.</summary>
    public MultiTaskNetBuilder WithChannelsLast(bool enabled = true) => this with { ChannelsLast = enabled };

    /// <summary>Validates the whole configuration and resolves shapes, without allocating any tensor. All problems are
    /// collected, each naming the builder call and the thing at fault.</summary>
    public BuildPlan Plan()
    {
        var problems = new List<string>();
        if (Backbone is null)
            problems.Add("UseBackbone: no backbone was given. Call .UseBackbone(Backbones.SmallResNet()) or another entry of Backbones.");
        if (Tasks.Count == 0)
            problems.Add("AddTask: no task was added. Add at least one, e.g. .AddTask(DenseTasks.Depth()).");

        foreach (var group in Tasks.GroupBy(t => t.Name).Where(g => g.Count() > 1))
            problems.Add($"AddTask: task '{group.Key}' is added {group.Count()} times (task names must be unique).");
        foreach (var group in AuxiliaryTasks.GroupBy(t => t.Name).Where(g => g.Count() > 1))
            problems.Add($"AddAuxiliaryTask: task '{group.Key}' is added {group.Count()} times (task names must be unique).");
        foreach (var name in AuxiliaryTasks.Select(t => t.Name).Distinct().Where(n => Tasks.Any(t => t.Name == n)))
            problems.Add($"AddAuxiliaryTask: task '{name}' is already a main task; a task is either main or auxiliary.");

        var allTasks = Tasks.Concat(AuxiliaryTasks).ToList();
        foreach (var task in allTasks)
        {
            if (string.IsNullOrWhiteSpace(task.Name))
                problems.Add($"AddTask: a task of type {task.GetType().Name} has an empty name.");
            if (task.OutputChannels < 1)
                problems.Add($"AddTask: task '{task.Name}' declares {task.OutputChannels} output channels; it needs at least 1.");
            if (task.Metrics.Count == 0 && Tasks.Contains(task))
                problems.Add($"AddTask: task '{task.Name}' has no metric; a main task needs at least one (the first is used by Δm).");
            problems.AddRange(task.Validate());
        }

        bool backboneValid = false;
        if (Backbone is not null)
        {
            var before = problems.Count;
            problems.AddRange(Backbone.Validate());
            backboneValid = problems.Count == before;
        }

        // The architecture sizes itself from the backbone's levels, so it is checked only when those are known.
        if (Backbone is not null && backboneValid && Tasks.Count > 0)
            problems.AddRange(Architecture.Validate(new ArchitectureContext(Backbone, Tasks, AuxiliaryTasks)));

        var taskNames = allTasks.Select(t => t.Name).Distinct().ToArray();
        var deviceType = ParseDevice(Device);
        if (deviceType is null)
            problems.Add($"WithDevice: '{Device}' is not a device name; use \"cpu\", \"cuda\" or \"cuda:0\".");
        else if (deviceType == DeviceType.CUDA && !CudaAvailable())
            problems.Add($"WithDevice: '{Device}' was requested but CUDA is not available in this process " +
                         "(this build uses TorchSharp-cpu; build with -p:TorchSharpPackage=TorchSharp-cuda-linux on a machine with an NVIDIA GPU).");
        var device = deviceType is null || problems.Any(p => p.StartsWith("WithDevice", StringComparison.Ordinal)) ? CPU : torch.device(Device);

        problems.AddRange(Balancer.Validate(new BalancerContext(taskNames, device)));
        if (Architecture is ITaskConditional { TaskConditional: true } && !Balancer.Separable)
            problems.Add($"UseBalancer({Balancer.Name}): {Architecture.Name} trains one task per optimiser step (single-tasking, " +
                         $"survey §2.4), so the balancer must weight each task by its own loss; {Balancer.Name} needs every task's loss " +
                         $"or gradient in the same step. Balancers that apply: {string.Join(", ", Balancers.All.Where(kv => kv.Value.Separable).Select(kv => kv.Key))}.");

        return new BuildPlan(
            problems,
            Backbone is not null && backboneValid ? Backbone : null,
            Tasks,
            AuxiliaryTasks,
            Architecture,
            Balancer,
            Seed,
            Device);
    }

    /// <summary>Validates (<see cref="Plan"/>), then creates the network and the balancer on the chosen device.
    /// Throws <see cref="BuildException"/> listing every problem; nothing is allocated when validation fails.
    /// The first backbone module the architecture creates must report the spec's <see cref="IBackbone.Features"/>, and a
    /// backbone of your own is run once on a small zero image: maps that differ from the declared levels are a
    /// <see cref="BuildException"/> naming the level (<see cref="Contracts.Check(IBackbone, int)"/> checks more, gradients included).
    /// Calling it twice gives two independent models.</summary>
    public MultiTaskModel Build()
    {
        var plan = Plan();
        plan.ThrowIfInvalid();
        var context = new ArchitectureContext(new ProbedBackbone(plan.Backbone!), Tasks, AuxiliaryTasks);
        var device = torch.device(Device);
        MultiTaskNet network;
        LossBalancer balancer;
        try
        {
            manual_seed(Seed);
            network = Architecture.Create(context);
            var created = network;
            balancer = Balancer.Create(new BalancerContext(context.AllTasks.Select(t => t.Name).ToArray(), device)
            {
                SharedParameterCount = () => created.SharedParameters().Where(p => p.requires_grad).Sum(p => p.numel()),
            });
        }
        catch (ExternalException ex)
        {
            throw new BuildException([$"UseArchitecture({Architecture.Name}) with backbone {plan.Backbone!.Name}: creating the modules failed in libtorch: {FirstLine(ex.Message)}"]);
        }
        network.to(device);
        balancer.to(device);
        return new MultiTaskModel(network, balancer, plan, device) { ChannelsLast = ChannelsLast };
    }

    private static DeviceType? ParseDevice(string name)
    {
        var parts = name.Trim().ToLowerInvariant().Split(':');
        if (parts.Length > 2 || (parts.Length == 2 && !int.TryParse(parts[1], out _))) return null;
        return parts[0] switch { "cpu" => DeviceType.CPU, "cuda" => DeviceType.CUDA, _ => null };
    }

    private static bool CudaAvailable()
    {
        try
        {
            return cuda.is_available();
        }
        catch (InvalidOperationException)
        {
            return false; // the CPU build of libtorch has no CUDA backend to initialise
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    /// <summary>The user's backbone spec as the architecture sees it during <see cref="Build"/>: the first module it creates
    /// is probed (<see cref="BackboneContract.Probe"/>) right after creation, before the module is wired to anything, so that a
    /// backbone whose forward differs from its declared levels fails the build naming the level, not later with a libtorch
    /// shape error inside a head. The forward runs only when the module's tree holds a backbone module of the user's own
    /// (a few milliseconds at 32×32 or 64×64); the library's backbones, which the contract tests cover, cost one comparison
    /// of levels. The probe leaves weights, buffers and the random number generator unchanged; later modules of the same
    /// spec (one per task in single-task baselines) are not probed again.</summary>
    private sealed class ProbedBackbone(IBackbone spec) : IBackbone
    {
        private bool _probed;

        public string Name => spec.Name;
        public FeatureInfo Features => spec.Features;
        public IEnumerable<string> Validate() => spec.Validate();
        public T? Capability<T>() where T : class => spec.Capability<T>();

        public Backbone Create()
        {
            var module = spec.Create();
            if (_probed) return module;
            _probed = true;
            var problems = BackboneContract.Probe(spec, module, trustLibraryModules: true);
            if (problems.Count == 0) return module;
            module.Dispose();
            throw new BuildException([.. problems.Select(p => "UseBackbone: " + p)]);
        }

        public override string ToString() => spec.ToString() ?? Name;
    }
}
