using System.Globalization;

namespace MtlNotebooks.Kernel;

/// <summary>The kernel's own log: timestamped lines on the process's standard error (Jupyter shows it in the
/// server's terminal), never in a cell's outputs.</summary>
public sealed class KernelLog(TextWriter writer)
{
    private readonly Lock _gate = new();

    public void Write(string text)
    {
        lock (_gate)
        {
            writer.WriteLine($"[mtl kernel {DateTime.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)}] {text}");
            writer.Flush();
        }
    }
}
