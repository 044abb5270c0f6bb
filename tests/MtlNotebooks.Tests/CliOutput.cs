using MtlNotebooks.Cli;

namespace MtlNotebooks.Tests;

/// <summary>Runs the command line in this process and captures what it prints.</summary>
internal static class CliOutput
{
    /// <summary>The exit code, standard output and standard error of <c>mtl args…</c>.</summary>
    public static (int Exit, string Output, string Error) Run(params string[] args)
    {
        using var console = ConsoleCapture.Start();
        var exit = CliApp.Run(args);
        return (exit, console.Output.ToString(), console.Error.ToString());
    }
}
