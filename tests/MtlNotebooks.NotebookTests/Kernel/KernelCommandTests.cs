using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace MtlNotebooks.NotebookTests.Kernel;

/// <summary>The kernel's commands in words a user can act on: another program's kernelspec is kept unless --force
/// (naming its command), a busy port or an address the machine lacks is named with its channel.</summary>
public sealed class KernelCommandTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("mtl-kernelcmd-");

    public void Dispose() => _scratch.Delete(recursive: true);

    private string Spec(string name) => Path.Combine(_scratch.FullName, "share", "jupyter", "kernels", name, "kernel.json");

    [Fact]
    public void Install_OverAnotherProgramsKernelspec_IsRefusedUnlessForced()
    {
        var foreign = """{"argv": ["dotnet", "interactive", "jupyter", "--default-kernel", "csharp", "{connection_file}"], "display_name": ".NET (C#)", "language": "C#"}""";
        Directory.CreateDirectory(Path.GetDirectoryName(Spec(".net-csharp"))!);
        File.WriteAllText(Spec(".net-csharp"), foreign);

        var (exit, error) = RunnerOutputTests.Cli("kernel", "install", "--prefix", _scratch.FullName);
        Assert.Equal(2, exit);
        Assert.Contains("holds the kernelspec '.net-csharp' of another program (it runs 'dotnet interactive jupyter --default-kernel …')", error);
        Assert.Equal(foreign, File.ReadAllText(Spec(".net-csharp")));
        (exit, error) = RunnerOutputTests.Cli("kernel", "remove", "--prefix", _scratch.FullName);
        Assert.Equal(2, exit);
        Assert.Contains("pass --force to delete it", error);

        (exit, error) = RunnerOutputTests.Cli("kernel", "install", "--prefix", _scratch.FullName, "--force");
        Assert.True(exit == 0, error);
        Assert.NotNull(JsonNode.Parse(File.ReadAllText(Spec(".net-csharp")))!["metadata"]!["mtlnotebooks"]);
        // Our own kernelspec is replaced and removed without --force.
        (exit, error) = RunnerOutputTests.Cli("kernel", "install", "--prefix", _scratch.FullName);
        Assert.True(exit == 0, error);
        (exit, error) = RunnerOutputTests.Cli("kernel", "remove", "--prefix", _scratch.FullName);
        Assert.True(exit == 0, error);
    }

    [Fact]
    public void List_SearchesJupyterPathFirst_AsJupyterDoes()
    {
        var first = Path.Combine(_scratch.FullName, "first");
        var spec = Path.Combine(first, "kernels", "from-jupyter-path", "kernel.json");
        Directory.CreateDirectory(Path.GetDirectoryName(spec)!);
        File.WriteAllText(spec, """{"argv": ["python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "On the path"}""");
        // A child process, so that JUPYTER_PATH does not reach the kernels other tests start.
        var info = new System.Diagnostics.ProcessStartInfo(MtlNotebooks.Kernel.KernelSpecs.DotnetHost())
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in new[] { typeof(MtlNotebooks.Cli.CliApp).Assembly.Location, "kernel", "list" }) info.ArgumentList.Add(argument);
        info.Environment["JUPYTER_PATH"] = first;
        info.Environment["JUPYTER_DATA_DIR"] = Path.Combine(_scratch.FullName, "empty-data");
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Contains("from-jupyter-path", output);
        Assert.Contains("On the path", output);
    }

    [Fact]
    public void AnotherProgramsMalformedKernelspec_IsListedAndKept_NotAStackTrace()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Spec(".net-csharp"))!);
        File.WriteAllText(Spec(".net-csharp"), """["not", "an", "object"]""");
        var (exit, error) = RunnerOutputTests.Cli("kernel", "install", "--prefix", _scratch.FullName);
        Assert.Equal(2, exit);
        Assert.Contains("its kernel.json is not a JSON object", error);
        (exit, error) = RunnerOutputTests.Cli("kernel", "list", "--prefix", _scratch.FullName);
        Assert.Equal(0, exit);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Install_PrefixUnderAFile_IsNamed()
    {
        var file = Path.Combine(_scratch.FullName, "afile");
        File.WriteAllText(file, "x");
        var (exit, error) = RunnerOutputTests.Cli("kernel", "install", "--prefix", file);
        Assert.Equal(2, exit);
        Assert.Contains($"--prefix {file} is a file; name a folder.", error);
    }

    [Fact]
    public void Run_BusyPort_NamesTheChannelPortAndAddress()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int busy = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (exit, error) = RunnerOutputTests.Cli("kernel", "run", "-f", Connection("127.0.0.1", busy));
        Assert.Equal(2, exit);
        Assert.Contains($"The shell port {busy} on 127.0.0.1 is already in use by another program.", error);
    }

    [Fact]
    public void Run_AddressTheMachineLacks_IsNamed()
    {
        var (exit, error) = RunnerOutputTests.Cli("kernel", "run", "-f", Connection("192.0.2.77", FreePort()));
        Assert.Equal(2, exit);
        Assert.Contains("Cannot listen on tcp://192.0.2.77:", error);
        Assert.Contains("is 192.0.2.77 an address of this machine?", error);
    }

    private string Connection(string ip, int shellPort)
    {
        var path = Path.Combine(_scratch.FullName, $"kernel-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, new JsonObject
        {
            ["transport"] = "tcp", ["ip"] = ip, ["shell_port"] = shellPort, ["control_port"] = FreePort(), ["iopub_port"] = FreePort(),
            ["stdin_port"] = FreePort(), ["hb_port"] = FreePort(), ["key"] = "k", ["signature_scheme"] = "hmac-sha256",
        }.ToJsonString());
        return path;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
