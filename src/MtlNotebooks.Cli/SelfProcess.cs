using System.Diagnostics;
using MtlNotebooks.Kernel;

namespace MtlNotebooks.Cli;

/// <summary>How this program starts itself again (bench subprocesses, the notebook's cell process): its own launcher when
/// it runs as <c>mtl</c>, otherwise (<c>dotnet mtl.dll</c>, or a test host) the dotnet host on <c>mtl.dll</c>.</summary>
internal static class SelfProcess
{
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var self = typeof(SelfProcess).Assembly.Location;
        bool launcher = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == Path.GetFileNameWithoutExtension(self);
        var info = new ProcessStartInfo(launcher ? Environment.ProcessPath! : KernelSpecs.DotnetHost()) { UseShellExecute = false };
        if (!launcher) info.ArgumentList.Add(self);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        return info;
    }
}
