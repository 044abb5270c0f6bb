using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace MtlNotebooks.Runtime;

/// <summary>Process-wide settings of the native libtorch runtime that must be in place before the first convolution.
/// Applied automatically when the library loads; hosts that may run TorchSharp code first (a CLI, a notebook session)
/// call <see cref="EnsureConfigured"/> at start-up.</summary>
public static class TorchRuntime
{
    /// <summary>oneDNN's own switch for the widest instruction set its JIT kernels may use.</summary>
    public const string OneDnnIsaVariable = "DNNL_MAX_CPU_ISA";

    private static readonly string[] UserVariables = ["ONEDNN_MAX_CPU_ISA", OneDnnIsaVariable];

    private static int _configured;

    /// <summary>Why the runtime was changed, or null when it runs as libtorch ships.</summary>
    public static string? Adjustment { get; private set; }

    // A library module initializer on purpose: the setting must precede libtorch's first convolution, whoever calls it.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => EnsureConfigured();

    /// <summary>Idempotent. On AMD Zen 5 (x86 family 1Ah) the oneDNN build inside libtorch 2.10 gives wrong convolution
    /// results from its AVX/AVX2/AVX-512 kernels, differently from run to run (NaN losses, gradients missing, outputs off
    /// PyTorch by 0.06); its SSE4.1 kernels are exact. There and on later AMD families (untested, so capped to be safe),
    /// unless the user chose an ISA, oneDNN is capped at SSE4.1 (about 35 % slower convolutions; <c>TorchRuntimeTests</c>
    /// shows whether the kernels are right). Set <c>DNNL_MAX_CPU_ISA</c> yourself to
    /// override, e.g. <c>ALL</c> once a fixed libtorch ships.</summary>
    public static void EnsureConfigured()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1) return;
        // oneDNN 3 reads ONEDNN_MAX_CPU_ISA before DNNL_MAX_CPU_ISA: a user's choice under either name stands.
        if (!NeedsOneDnnCap() || UserVariables.Any(v => Environment.GetEnvironmentVariable(v) is { Length: > 0 })) return;
        const string isa = "SSE41";
        Environment.SetEnvironmentVariable(OneDnnIsaVariable, isa);   // for child processes started from .NET
        if (!OperatingSystem.IsWindows()) _ = setenv(OneDnnIsaVariable, isa, 1);   // libtorch reads the C environment
        Adjustment = $"{OneDnnIsaVariable}={isa}: oneDNN's AVX kernels give wrong convolutions on this CPU (AMD family 1Ah or later).";
    }

    private static bool NeedsOneDnnCap()
    {
        if (!X86Base.IsSupported) return false;
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        bool amd = ebx == 0x68747541 && edx == 0x69746E65 && ecx == 0x444D4163;   // "AuthenticAMD"
        if (!amd) return false;
        int eax = X86Base.CpuId(1, 0).Eax;
        int family = ((eax >> 8) & 0xF) + (((eax >> 8) & 0xF) == 0xF ? (eax >> 20) & 0xFF : 0);
        return family >= 0x1A;
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv(string name, string value, int overwrite);
}
