using MtlNotebooks.Cli;

namespace MtlNotebooks.Tests;

/// <summary>Runs the command line in this process and captures what it prints.</summary>
internal static class CliOutput
{
    /// <summary>The exit code, standard output and standard error of <c>mtl args…</c>.</summary>
    public static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var (previousOut, previousError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return (CliApp.Run(args), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
        }
    }
}
