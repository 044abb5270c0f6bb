using System.Diagnostics;
using System.Text.Json;

namespace MtlNotebooks.Tests.Weights;

/// <summary>Debian's PyTorch (python3-torch, python3-torchvision; .ci/run installs them) running
/// Fixtures/torch_files.py: it writes torchvision's models as torch.save does once per test class, and checks the
/// files the tests write by loading them strictly.</summary>
public sealed class PyTorchSide : IDisposable
{
    public const string Python = "/usr/bin/python3";

    public PyTorchSide()
    {
        Folder = Directory.CreateTempSubdirectory("mtl-torch-files-").FullName;
        Run("write");
    }

    /// <summary>Where the files of both sides are.</summary>
    public string Folder { get; }

    public string File(string name) => Path.Combine(Folder, name);

    /// <summary>Runs <c>torch_files.py check</c>: the largest |PyTorch − ours| of each model and file kind.</summary>
    public Dictionary<string, double> Check() =>
        JsonSerializer.Deserialize<Dictionary<string, double>>(Run("check").Trim().Split('\n')[^1])!;

    private string Run(string command)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch_files.py");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(Folder);
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"{Python} did not start: apt-get install python3-torch python3-torchvision (.ci/run does).");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
        Assert.True(process.ExitCode == 0,
            $"torch_files.py {command} failed (PyTorch needs apt-get install python3-torch python3-torchvision; .ci/run does):\n{error.Result}");
        return output;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
