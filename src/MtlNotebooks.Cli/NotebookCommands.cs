using System.CommandLine;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.Cli;

/// <summary><c>notebook</c> runs a .NET Interactive C# notebook headlessly (papermill-style parameters, executed copy,
/// HTML export); <c>script</c> runs a .csx file as dotnet-script does.</summary>
internal static class NotebookCommands
{
    public static Command CreateNotebook()
    {
        var path = new Argument<string>("path") { Description = "The .ipynb file to run." };
        var parameters = new Option<string[]>("--parameter", "-p")
        {
            Description = "Override a parameter of the cell tagged \"parameters\": -p smoke=true (repeatable).",
            DefaultValueFactory = _ => [],
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Where to write the executed notebook (default: runs/notebooks/<name>.ipynb).",
        };
        var html = new Option<string?>("--html") { Description = "Also export the executed notebook as a standalone HTML page." };
        var command = new Command("notebook", "Run a notebook's code cells top to bottom and write it with its outputs.") { path, parameters, output, html };
        command.SetAction((parse, cancellationToken) => RunNotebookAsync(
            parse.GetValue(path)!, parse.GetValue(parameters) ?? [], parse.GetValue(output), parse.GetValue(html), cancellationToken));
        return command;
    }

    public static Command CreateScript()
    {
        var path = new Argument<string>("path") { Description = "The .csx file to run." };
        var args = new Argument<string[]>("args")
        {
            Description = "Arguments for the script (after --), available to it as Args.",
            Arity = ArgumentArity.ZeroOrMore,
            DefaultValueFactory = _ => [],
        };
        var command = new Command("script", "Run a C# script (.csx) with #r \"nuget: …\", #load and Args, like dotnet-script.") { path, args };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var result = await ScriptRunner.RunAsync(parse.GetValue(path)!, parse.GetValue(args) ?? [], cancellationToken);
            if (result.Error is not null)
                await Console.Error.WriteLineAsync($"error: {result.Error}");
            return result.ExitCode;
        });
        return command;
    }

    private static async Task<int> RunNotebookAsync(string path, string[] pairs, string? output, string? html, CancellationToken cancellationToken)
    {
        var result = await TryRunAsync(path, pairs, cancellationToken);
        if (result is null)
            return 2;
        Save(result, output ?? Path.Combine("runs", "notebooks", Path.GetFileName(path)), html);
        if (result.Succeeded)
            return 0;
        await Console.Error.WriteLineAsync($"error: {path}: {result.Error}");
        return 1;
    }

    /// <summary>Runs the notebook; null (after saying why) when it cannot start: bad file, bad parameters, unreadable path.
    /// A cell that fails does not make it null: the executed copy shows where it stopped.</summary>
    private static async Task<NotebookRunResult?> TryRunAsync(string path, string[] pairs, CancellationToken cancellationToken)
    {
        try
        {
            var parameters = NotebookParameters.ParsePairs(pairs);
            return await NotebookRunner.RunAsync(path, new NotebookRunOptions { Parameters = parameters, Log = Console.Error }, cancellationToken);
        }
        catch (Exception ex) when (ex is NotebookFormatException or NotebookParameterException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return null;
        }
    }

    /// <summary>Writes the executed notebook and, when asked, its HTML export.</summary>
    private static void Save(NotebookRunResult result, string output, string? html)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        result.Executed.Save(output);
        Console.WriteLine($"Wrote {output} ({result.Elapsed.TotalSeconds:0.0} s).");
        if (html is null)
            return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(html))!);
        NotebookHtmlExporter.Save(result.Executed, html);
        Console.WriteLine($"Wrote {html}.");
    }
}
