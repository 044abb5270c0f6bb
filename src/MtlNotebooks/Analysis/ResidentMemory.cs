using System.Globalization;
using System.Runtime.InteropServices;

namespace MtlNotebooks.Analysis;

/// <summary>The process's resident memory (RSS) as Linux reports it in <c>/proc/self/status</c>: libtorch allocates
/// tensors outside the .NET heap, so RSS is the number that shows what a training step really costs. Elsewhere
/// <see cref="IsAvailable"/> is false and the readings are NaN.</summary>
public static class ResidentMemory
{
    private const string Status = "/proc/self/status";
    private const string ClearRefs = "/proc/self/clear_refs";

    /// <summary>Whether this system reports resident memory (Linux).</summary>
    public static bool IsAvailable => OperatingSystem.IsLinux() && File.Exists(Status);

    /// <summary>Resident memory now, in MiB (VmRSS).</summary>
    public static double CurrentMiB() => Read("VmRSS:");

    /// <summary>The highest resident memory since the process started or since <see cref="ResetPeak"/>, in MiB (VmHWM).</summary>
    public static double PeakMiB() => Read("VmHWM:");

    /// <summary>Starts a new peak at the current resident memory (writing 5 to <c>clear_refs</c>, Linux ≥ 4.0); false when the
    /// system does not allow it, and then <see cref="PeakMiB"/> keeps the process-wide peak.</summary>
    public static bool ResetPeak()
    {
        if (!IsAvailable) return false;
        try
        {
            File.WriteAllText(ClearRefs, "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Runs <paramref name="action"/> and returns how far resident memory rose above its level at the start, in MiB:
    /// the peak during the action minus the memory before it. NaN where the peak cannot be reset or read.</summary>
    public static double MeasurePeakRiseMiB(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        // Memory freed earlier but kept by the .NET heap or by glibc's allocator would hide part of the rise.
        var before = SettledMiB();
        bool reset = ResetPeak();
        action();
        return reset ? Math.Max(0, PeakMiB() - before) : double.NaN;
    }

    /// <summary>Resident memory (MiB) after a full garbage collection and after glibc has returned its free heap memory:
    /// what live objects hold, without the allocators' caches, so a leak shows and a cache that grew once does not.</summary>
    public static double SettledMiB()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        TrimNativeHeap();
        return CurrentMiB();
    }

    /// <summary>Returns glibc's free heap memory to the system (<c>malloc_trim</c>); nothing elsewhere.</summary>
    private static void TrimNativeHeap()
    {
        if (!IsAvailable) return;
        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // musl and other C libraries have no malloc_trim: the rise may then read low.
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    private static double Read(string field)
    {
        if (!IsAvailable) return double.NaN;
        foreach (var line in File.ReadLines(Status))
        {
            if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
            var parts = line[field.Length..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return double.Parse(parts[0], CultureInfo.InvariantCulture) / 1024.0;   // kB
        }
        return double.NaN;
    }
}
