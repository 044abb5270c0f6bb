using System.Globalization;

namespace MtlNotebooks.Kernel;

/// <summary>Calls back once when the process that started the kernel is gone, as ipykernel's parent poller does: a
/// client killed with SIGKILL sends no shutdown_request, and an orphaned kernel would keep its memory, its ports and
/// any training running. The watched process is the one named by <c>JPY_PARENT_PID</c> (jupyter_client sets it to
/// itself), else the parent at start. Linux only (it reads /proc); elsewhere nothing is watched.</summary>
internal sealed class ParentWatch : IDisposable
{
    public const string ParentVariable = "JPY_PARENT_PID";

    /// <summary>Linux tells a process nothing when a process that is not its child ends, so it is polled.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly ManualResetEventSlim _disposed = new();

    private ParentWatch(int pid, long startTime, Action<string> gone)
    {
        new Thread(() =>
        {
            while (!_disposed.Wait(Interval))
            {
                // A pid is reused once its process is reaped: the start time tells the new process from the old one.
                // A killed process that is not reaped yet stays a zombie ('Z'), which is gone as well.
                if (Stat(pid) is { State: not ('Z' or 'X') } stat && stat.StartTime == startTime) continue;
                gone($"the kernel's parent process {pid} is gone");
                return;
            }
        }) { IsBackground = true, Name = "parent watch" }.Start();
    }

    /// <summary>Starts watching; null (and a line in <paramref name="log"/>) when there is nothing to watch.</summary>
    public static ParentWatch? Start(KernelLog log, Action<string> gone)
    {
        if (!OperatingSystem.IsLinux())
        {
            log.Write("the parent process is not watched on this system: the kernel ends on shutdown_request or SIGTERM only");
            return null;
        }

        var parent = Stat(Environment.ProcessId)!.Value.ParentPid;
        var pid = int.TryParse(Environment.GetEnvironmentVariable(ParentVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var named) ? named : parent;
        if (pid != parent && Stat(pid) is null)
        {
            // A pid from another pid namespace (or a stale one) names nothing here; the direct parent still does.
            log.Write($"{ParentVariable}={pid} is no process here; watching the parent process {parent}");
            pid = parent;
        }

        if (pid <= 1 || Stat(pid) is not { } start)
        {
            log.Write($"the parent process ({pid}) is not watched: the kernel was started by init or its parent is gone already");
            return null;
        }

        log.Write($"watching the parent process {pid}: the kernel shuts down when it is gone");
        return new ParentWatch(pid, start.StartTime, gone);
    }

    public void Dispose() => _disposed.Set();

    private readonly record struct ProcessStat(char State, int ParentPid, long StartTime);

    /// <summary>Fields 3, 4 and 22 of /proc/PID/stat (proc(5)); null when there is no such process.</summary>
    private static ProcessStat? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;   // FileNotFound, DirectoryNotFound, or ESRCH while the process ends
        }

        // The command name (field 2) is in parentheses and may hold spaces or parentheses: count from the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return new ProcessStat(fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[19], CultureInfo.InvariantCulture));
    }
}
