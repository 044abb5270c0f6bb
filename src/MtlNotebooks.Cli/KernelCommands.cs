using System.CommandLine;
using MtlNotebooks.Kernel;

namespace MtlNotebooks.Cli;

/// <summary><c>kernel</c>: the Jupyter kernel for C# notebooks (<c>install</c>, <c>list</c>, <c>remove</c>, and
/// <c>run</c>, which Jupyter starts through the kernelspec).</summary>
internal static class KernelCommands
{
    public static Command Create()
    {
        var kernel = new Command("kernel", "The Jupyter kernel for the C# notebooks: install it, then open notebooks/ in JupyterLab or VS Code.");
        kernel.Add(Install());
        kernel.Add(List());
        kernel.Add(Remove());
        kernel.Add(Run());
        return kernel;
    }

    private static Option<string?> PrefixOption() => new("--prefix")
    {
        Description = "Use PREFIX/share/jupyter/kernels (as jupyter kernelspec install --prefix) instead of the user's Jupyter folder.",
    };

    private static Option<bool> ForceOption(string description) => new("--force") { Description = description };

    private static Command Install()
    {
        var name = new Option<string>("--name") { Description = "Kernelspec name.", DefaultValueFactory = _ => KernelSpecs.DefaultName };
        var display = new Option<string>("--display-name") { Description = "Name shown by Jupyter.", DefaultValueFactory = _ => KernelSpecs.DefaultDisplayName };
        var prefix = PrefixOption();
        var force = ForceOption("Replace a kernelspec of that name that another program installed (.NET Interactive uses .net-csharp too).");
        var command = new Command("install", $"Write a kernelspec (default name {KernelSpecs.DefaultName}, the name the notebooks ask for).") { name, display, prefix, force };
        command.SetAction(parse =>
        {
            if (PathProblems.OfFolder("--prefix", parse.GetValue(prefix)) is { } problem)
            {
                Console.Error.WriteLine($"error: {problem}");
                return 2;
            }
            try
            {
                var directory = KernelSpecs.Install(parse.GetValue(name)!, parse.GetValue(display)!, parse.GetValue(prefix), KernelSpecs.DotnetHost(),
                    typeof(KernelCommands).Assembly.Location, parse.GetValue(force));
                Console.WriteLine($"Installed kernelspec {parse.GetValue(name)} in {directory}");
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

    private static Command List()
    {
        var prefix = PrefixOption();
        var command = new Command("list", "List the kernelspecs Jupyter finds ($JUPYTER_PATH, the user's folder, the system's; or --prefix's).") { prefix };
        command.SetAction(parse =>
        {
            var folders = parse.GetValue(prefix) is { } given ? [KernelSpecs.KernelsDirectory(given)] : KernelSpecs.SearchDirectories();
            var installed = KernelSpecs.List(parse.GetValue(prefix));
            if (installed.Count == 0) Console.WriteLine($"No kernelspecs in {string.Join(", ", folders)}.");
            foreach (var spec in installed)
                Console.WriteLine($"{spec.Name,-20} {spec.DisplayName,-30} {spec.Directory}");
            return 0;
        });
        return command;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "Kernelspec name.", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => KernelSpecs.DefaultName };
        var prefix = PrefixOption();
        var force = ForceOption("Delete the kernelspec even if another program installed it.");
        var command = new Command("remove", "Delete a kernelspec.") { name, prefix, force };
        command.SetAction(parse =>
        {
            try
            {
                var removed = KernelSpecs.Remove(parse.GetValue(name)!, parse.GetValue(prefix), parse.GetValue(force));
                Console.WriteLine(removed ? $"Removed kernelspec {parse.GetValue(name)}." : $"No kernelspec {parse.GetValue(name)} in {KernelSpecs.KernelsDirectory(parse.GetValue(prefix))}.");
                return removed ? 0 : 1;
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

    private static Command Run()
    {
        var file = new Option<string>("--connection-file", "-f") { Description = "The connection file Jupyter wrote.", Required = true };
        var command = new Command("run", "Serve one Jupyter client (Jupyter starts this through the kernelspec).") { file };
        command.SetAction(parse =>
        {
            try
            {
                return KernelHost.Run(parse.GetValue(file)!, Console.Error);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or NetMQ.NetMQException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 2;
            }
        });
        return command;
    }
}
