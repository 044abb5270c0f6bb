using System.CommandLine;

namespace MtlNotebooks.Cli;

/// <summary>The command line: <c>run quick</c>, <c>data preview</c>, <c>bench</c>; <c>--help</c> on every command.</summary>
public static class CliApp
{
    public static int Run(string[] args) => CreateRoot().Parse(args).Invoke();

    /// <summary>Every command, numeric options parsed alike (<see cref="OptionRules.ParseNumbersAlike"/>).</summary>
    internal static RootCommand CreateRoot()
    {
        var root = new RootCommand("MtlNotebooks: multi-task learning for dense prediction (ASTMT, MTI-Net, the MTL survey) on TorchSharp.");
        root.Add(RunCommands.Create());
        root.Add(DataCommands.Create());
        root.Add(WeightsCommands.Create());
        root.Add(BenchCommand.Create());
        root.Add(BalancerBenchCommand.Create());
        root.Add(BackboneBenchCommand.Create());
        root.Add(ModelBenchCommand.Create());
        root.Add(NotebookCommands.CreateNotebook());
        root.Add(NotebookCommands.CreateScript());
        root.Add(KernelCommands.Create());
        root.Add(SiteCommands.Create());
        OptionRules.ParseNumbersAlike(root);
        return root;
    }
}
