namespace MtlNotebooks.Cli;

/// <summary>This process's resident memory from /proc/self (Linux), for the benchmarks; NaN elsewhere.</summary>
internal static class ProcessMemory
{
    /// <summary>Resident set now (VmRSS), in MiB.</summary>
    public static double ResidentMiB() => StatusMiB("VmRSS:");

    /// <summary>Peak resident set since start or the last <see cref="ResetPeak"/> (VmHWM), in MiB.</summary>
    public static double PeakResidentMiB() => StatusMiB("VmHWM:");

    /// <summary>Resets the peak to the current resident set (Linux 4.0+), so a later peak belongs to the work after it.</summary>
    public static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static double StatusMiB(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return double.NaN;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }
}
