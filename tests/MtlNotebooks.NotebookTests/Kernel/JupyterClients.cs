using System.Diagnostics;
using MtlNotebooks.Kernel;

namespace MtlNotebooks.NotebookTests.Kernel;

/// <summary>Real Jupyter clients (jupyter_client, nbclient through jupyter nbconvert, Debian's packages that .ci/run
/// installs) against the kernel, installed by <see cref="KernelSpecs.Install"/> under a scratch prefix so the user's
/// Jupyter is untouched. The kernel runs from the CLI's own build output, as <c>mtl kernel install</c> writes it.</summary>
internal sealed class JupyterClients : IDisposable
{
    public const string KernelName = "mtl-csharp-test";
    public const string Python = "/usr/bin/python3";

    private readonly DirectoryInfo _prefix = Directory.CreateTempSubdirectory("mtl-kernelspec-");

    public JupyterClients()
    {
        var mtl = CliDll();
        Assert.True(File.Exists(mtl), $"{mtl} is missing: build src/MtlNotebooks.Cli first (the tests build it as a reference).");
        KernelSpecs.Install(KernelName, "C# (test)", _prefix.FullName, KernelSpecs.DotnetHost(), mtl);
    }

    public string JupyterPath => Path.Combine(_prefix.FullName, "share", "jupyter");

    /// <summary>Runs a program with the kernelspec on JUPYTER_PATH; its exit code and what it printed.</summary>
    public (int ExitCode, string Output, TimeSpan Elapsed) Run(string program, IEnumerable<string> arguments, TimeSpan limit,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        // A folder of its own as the working directory: a notebook run in this process may be in (and then delete) another.
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _prefix.FullName,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["JUPYTER_PATH"] = JupyterPath;
        // One libtorch thread: these processes run beside this one's notebooks on two cores, and OpenMP threads that
        // spin-wait for a core another process holds make both many times slower.
        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["MKL_NUM_THREADS"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        var gate = new Lock();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (gate) return (-1, output + $"\n(killed after {limit.TotalSeconds} s)", clock.Elapsed);
        }

        process.WaitForExit();
        lock (gate) return (process.ExitCode, output.ToString(), clock.Elapsed);
    }

    /// <summary>Fails with the install command when Debian's Jupyter client packages are missing.</summary>
    public void RequirePython(string module)
    {
        var (code, output, _) = Run(Python, ["-c", $"import {module}"], TimeSpan.FromMinutes(1));
        Assert.True(code == 0, $"{Python} cannot import {module} ({output.Trim()}): apt-get install python3-jupyter-client python3-nbclient jupyter-nbconvert (.ci/run does).");
    }

    /// <summary>mtl.dll in the CLI's build output of this test build's configuration.</summary>
    private static string CliDll()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        return Path.Combine(RepositoryFiles.Root, "src", "MtlNotebooks.Cli", "bin", configuration, framework.Name, "mtl.dll");
    }

    public void Dispose() => _prefix.Delete(recursive: true);
}
