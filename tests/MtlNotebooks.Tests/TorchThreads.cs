namespace MtlNotebooks.Tests;

/// <summary>One libtorch thread in this process and in the processes it starts (the CLI, PyTorch's reference scripts):
/// `dotnet test` runs this assembly beside the notebook tests, and two processes of two spinning OpenMP threads each on
/// two cores run many times slower than two of one.</summary>
internal static class TorchThreads
{
#pragma warning disable CA2255   // a test assembly: the setting must hold before any test runs
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void OneThread()
    {
        Environment.SetEnvironmentVariable("OMP_NUM_THREADS", "1");
        Environment.SetEnvironmentVariable("MKL_NUM_THREADS", "1");
        TorchSharp.torch.set_num_threads(1);
    }
}
