// Notebook runs redirect the console and change the current directory (process-wide), and share libtorch's RNG and
// thread pool: every test that runs in this process is in one collection, one at a time. The tests that drive kernels
// in processes of their own (nbclient, jupyter_client) are in collections of their own and run beside it, two at once;
// the kernel lifetime checks, whose limits are in seconds, run alone at the end.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly, MaxParallelThreads = 2)]

namespace MtlNotebooks.NotebookTests;

/// <summary>One libtorch thread in this process, as in the kernels beside it (<see cref="Kernel.JupyterClients"/>): two
/// processes of two spinning OpenMP threads each on two cores run many times slower than two of one.</summary>
internal static class TorchThreads
{
#pragma warning disable CA2255   // a test assembly: the setting must hold before any test runs
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void OneThread() => TorchSharp.torch.set_num_threads(1);
}

/// <summary>The collections of tests whose work runs in other processes (see the assembly's collection behaviour).</summary>
internal static class OutOfProcess
{
    /// <summary>Every notebook through the kernel by nbclient.</summary>
    public const string KernelNotebooks = "Kernel notebooks";

    /// <summary>The protocol under jupyter_client and the notebooks under .NET Interactive.</summary>
    public const string KernelClients = "Kernel clients";

    /// <summary>Shutdowns, restarts, signals and a client's death, timed: alone (<see cref="KernelLifetimeCollection"/>).</summary>
    public const string KernelLifetime = "Kernel lifetime";
}

[CollectionDefinition(OutOfProcess.KernelLifetime, DisableParallelization = true)]
public sealed class KernelLifetimeCollection;
