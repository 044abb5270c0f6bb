using Xunit.Abstractions;

namespace MtlNotebooks.NotebookTests.Kernel;

/// <summary>The kernel driven by jupyter_client (kernel_protocol.py): kernel_info, streams, displays and updates,
/// results, a compile error's line and column, an exception, completion, inspection, is_complete, comm_info, an
/// interrupted training cell followed by a working cell, malformed and wrongly signed messages, and a restart after an
/// endless loop.</summary>
[Collection(OutOfProcess.KernelLifetime)]
public sealed class KernelProtocolTests(ITestOutputHelper log)
{
    [Fact]
    public void Kernel_DrivenByJupyterClient_AnswersEveryRequest()
    {
        using var clients = new JupyterClients();
        clients.RequirePython("jupyter_client");
        var script = Path.Combine(RepositoryFiles.Root, "tests", "MtlNotebooks.NotebookTests", "Kernel", "kernel_protocol.py");

        var (exitCode, output, elapsed) = clients.Run(JupyterClients.Python, [script, JupyterClients.KernelName], TimeSpan.FromMinutes(10));

        log.WriteLine($"{elapsed.TotalSeconds:0.0} s\n{output}");
        Assert.True(exitCode == 0 && output.Contains("all checks passed", StringComparison.Ordinal), output);
    }
}
