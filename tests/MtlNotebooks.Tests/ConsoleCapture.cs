using System.Text;

namespace MtlNotebooks.Tests;

/// <summary>Captures what code run in this test's flow prints. <see cref="Console.SetOut"/> is process-wide, and test
/// classes outside the Torch collection run in parallel: two tests swapping the console took each other's output (an
/// error message went to the other test's writer). The console is routed once, per async flow, to the writer its test
/// installed (threads and tasks started inside inherit it), and to the real console elsewhere.</summary>
internal sealed class ConsoleCapture : IDisposable
{
    private static readonly AsyncLocal<TextWriter?> CurrentOut = new(), CurrentError = new();
    private static readonly object Install = new();
    private static bool _installed;

    private readonly TextWriter? _previousOut, _previousError;

    public StringWriter Output { get; } = new();
    public StringWriter Error { get; } = new();

    private ConsoleCapture()
    {
        lock (Install)
        {
            if (!_installed)
            {
                Console.SetOut(TextWriter.Synchronized(new Router(Console.Out, CurrentOut)));
                Console.SetError(TextWriter.Synchronized(new Router(Console.Error, CurrentError)));
                _installed = true;
            }
        }
        (_previousOut, _previousError) = (CurrentOut.Value, CurrentError.Value);
        CurrentOut.Value = TextWriter.Synchronized(Output);
        CurrentError.Value = TextWriter.Synchronized(Error);
    }

    /// <summary>Starts capturing standard output and error of this flow until disposed.</summary>
    public static ConsoleCapture Start() => new();

    public void Dispose() => (CurrentOut.Value, CurrentError.Value) = (_previousOut, _previousError);

    private sealed class Router(TextWriter fallback, AsyncLocal<TextWriter?> current) : TextWriter
    {
        private TextWriter Target => current.Value ?? fallback;
        public override Encoding Encoding => fallback.Encoding;
        public override void Write(char value) => Target.Write(value);
        public override void Write(string? value) => Target.Write(value);
        public override void Write(char[] buffer, int index, int count) => Target.Write(buffer, index, count);
        public override void WriteLine(string? value) => Target.WriteLine(value);
        public override void WriteLine() => Target.WriteLine();
        public override void Flush() => Target.Flush();
    }
}
