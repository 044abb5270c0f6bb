using System.CommandLine;

namespace MtlNotebooks.Cli;

/// <summary><c>run</c>: the experiments (<c>run quick</c>, <see cref="QuickCommand"/>; <c>run claims</c>, <see cref="ClaimsCommand"/>).</summary>
internal static class RunCommands
{
    public static Command Create()
    {
        var run = new Command("run", "Run an experiment.");
        run.Add(QuickCommand.Create());
        run.Add(ClaimsCommand.Create());
        return run;
    }
}
