using MtlNotebooks.Scripting;

namespace MtlNotebooks.Kernel;

/// <summary>Console.In while the kernel runs: a cell's <c>Console.ReadLine()</c> sends an input_request on the stdin
/// channel and returns the client's input_reply. When the execute_request did not allow stdin (nbclient, a
/// non-interactive client), it reads end of input (null), as a console program reading a closed stdin does.</summary>
internal sealed class KernelConsoleInput(JupyterKernel kernel) : TextReader
{
    private volatile JupyterMessage? _request;

    public static KernelConsoleInput Install(JupyterKernel kernel)
    {
        var input = new KernelConsoleInput(kernel);
        Console.SetIn(input);
        return input;
    }

    /// <summary>Lets cells read lines from the client of <paramref name="request"/> (null: from nobody) until disposed.</summary>
    public IDisposable For(JupyterMessage? request)
    {
        _request = request;
        return new Reset(this);
    }

    public override string? ReadLine() =>
        _request is { } request ? kernel.ReadInput(request, "", password: false, KernelHelpers.CellCancellationToken) : null;

    public override int Peek() => -1;

    public override int Read() => -1;

    private sealed class Reset(KernelConsoleInput input) : IDisposable
    {
        public void Dispose() => input._request = null;
    }
}
