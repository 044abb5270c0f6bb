using System.Text.Json.Nodes;
using MtlNotebooks.Kernel;
using Xunit.Abstractions;

namespace MtlNotebooks.NotebookTests.Kernel;

/// <summary>Every notebook of notebooks/ executed through the kernel by nbclient (<c>jupyter nbconvert --execute</c>),
/// in smoke mode: nbclient has no parameters, so the kernel takes <c>smoke=true</c> from
/// <see cref="KernelHost.ParametersVariable"/> and applies it after the parameters cell.</summary>
[Collection(OutOfProcess.KernelNotebooks)]
public sealed class KernelNotebookTests(ITestOutputHelper log)
{
    [Theory]
    [MemberData(nameof(RepositoryFiles.NotebookPaths), MemberType = typeof(RepositoryFiles))]
    public void Notebook_ExecutedByNbclient_HasNoErrors(string notebook)
    {
        using var clients = new JupyterClients();
        clients.RequirePython("nbclient");
        var output = Directory.CreateTempSubdirectory("mtl-nbclient-");
        try
        {
            var (exitCode, text, elapsed) = clients.Run(JupyterClients.Python,
            [
                "-m", "nbconvert", "--to", "notebook", "--execute", $"--ExecutePreprocessor.kernel_name={JupyterClients.KernelName}",
                "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.startup_timeout=120", "--output-dir", output.FullName,
                RepositoryFiles.Full(notebook),
            ], TimeSpan.FromMinutes(15), new Dictionary<string, string> { [KernelHost.ParametersVariable] = "smoke=true" });

            log.WriteLine($"{notebook}: {elapsed.TotalSeconds:0.0} s through nbclient");
            Assert.True(exitCode == 0, $"nbconvert exited with {exitCode}:\n{text}");
            Assert.Contains("parameters bool smoke = true;", text);
            var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(output.FullName, Path.GetFileName(notebook))))!;
            var code = executed["cells"]!.AsArray().Where(c => (string?)c!["cell_type"] == "code").ToList();
            Assert.All(code, c => Assert.NotNull(c!["execution_count"]));
            var errors = code.SelectMany(c => c!["outputs"]!.AsArray()).Where(o => (string?)o!["output_type"] == "error").ToList();
            Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e!["ename"]}: {e["evalue"]}")));
            Assert.Contains(code.SelectMany(c => c!["outputs"]!.AsArray()), o => (string?)o!["output_type"] is "execute_result" or "display_data" or "stream");
            // The parameters cell records the value the run used, since its source still reads the default.
            var parameters = code.Single(c => c!["metadata"]?["tags"]?.AsArray().Any(t => (string?)t == "parameters") == true);
            var recorded = string.Concat(parameters!["outputs"]!.AsArray().Where(o => (string?)o!["output_type"] == "stream")
                .SelectMany(o => o!["text"] is JsonArray lines ? lines.Select(l => (string?)l) : [(string?)o["text"]]));
            Assert.Contains($"Parameters injected from {KernelHost.ParametersVariable}:\nbool smoke = true;", recorded);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }
}
