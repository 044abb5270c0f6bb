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
            Description = "Where to write the executed notebook, after every cell (default: runs/notebooks/<name>.ipynb; never the input).",
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
        var outputPath = output ?? Path.Combine("runs", "notebooks", Path.GetFileName(path));
        var result = await TryRunAsync(path, pairs, new OutputTarget("--output", outputPath, IsDefault: output is null),
            html is null ? null : new OutputTarget("--html", html), cancellationToken);
        if (result is null)
            return 2;
        Console.WriteLine($"Wrote {outputPath} ({result.Elapsed.TotalSeconds:0.0} s).");
        if (html is not null)
            Console.WriteLine($"Wrote {html}.");
        if (result.Succeeded)
            return 0;
        await Console.Error.WriteLineAsync($"error: {path}: {result.Error}");
        return 1;
    }

    /// <summary>Runs the notebook, writing it to <paramref name="output"/> after every cell; null (after saying why) when
    /// it cannot start: bad file, bad parameters, an output path that cannot be written or is the input. A cell that
    /// fails does not make it null: the executed copy shows where it stopped.</summary>
    private static async Task<NotebookRunResult?> TryRunAsync(string path, string[] pairs, OutputTarget output, OutputTarget? html,
        CancellationToken cancellationToken)
    {
        try
        {
            if (!File.Exists(path))
                throw new FileNotFoundException($"{path}: no such notebook.");
            var parameters = NotebookParameters.ParsePairs(pairs);
            // Checked here too, before the run, so the messages name the command's options.
            OutputPaths.Check(path, html is null ? [output] : [output, html]);
            var options = new NotebookRunOptions { Parameters = parameters, Log = Console.Error, OutputPath = output.Path, HtmlPath = html?.Path };
            return await NotebookRunner.RunAsync(path, options, cancellationToken);
        }
        catch (Exception ex) when (ex is NotebookFormatException or NotebookParameterException or OutputPathException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return null;
        }
    }
}
