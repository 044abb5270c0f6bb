using System.Diagnostics;
using System.Text.Json;

namespace MtlNotebooks.Cli;

/// <summary>What the PyTorch comparisons share: running this program again per model (so every peak memory is its
/// own), running a Python script that prints one JSON line, and finding that script in the repository.</summary>
internal static class BenchProcesses
{
    /// <summary>Runs this program again with <paramref name="arguments"/>, its output passed through; the exit code.</summary>
    public static int RunSelf(IEnumerable<string> arguments)
    {
        using var process = Process.Start(SelfProcess.StartInfo(arguments))!;
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>The last JSON line <paramref name="script"/> prints, or null after writing why there is none.</summary>
    public static JsonElement? RunPython(string python, string script, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var line = output.Split('\n').LastOrDefault(l => l.StartsWith('{'));
            if (process.ExitCode != 0 || line is null)
            {
                Console.Write($"  PyTorch failed (exit {process.ExitCode}): {stderr.Result.Trim().Split('\n').LastOrDefault()}");
                return null;
            }
            return JsonDocument.Parse(line).RootElement.Clone();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Write($"  PyTorch not run: cannot start '{python}' ({e.Message})");
            return null;
        }
    }

    /// <summary>src/MtlNotebooks.Cli/bench/<paramref name="name"/>, searched upward from the working and the program folder.</summary>
    public static string? FindScript(string command, string name)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "src", "MtlNotebooks.Cli", "bench", name);
                if (File.Exists(candidate)) return candidate;
            }
        }
        Console.WriteLine($"{command}: src/MtlNotebooks.Cli/bench/{name} not found (run from the repository); PyTorch skipped.");
        return null;
    }
}
