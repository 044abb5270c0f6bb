using System.Reflection;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using NetArchTest.Rules;

namespace MtlNotebooks.Tests.Core;

/// <summary>The library's layers (docs/architecture.md), checked on its compiled types so that an arrow the wrong way
/// fails here, not in a review: data at the bottom, then the ideas (networks, balancers, tasks), then training, then
/// results (analysis, experiments). The front door (the root namespace) may use every layer below results. Across the
/// three assemblies the compiler checks the arrows (the core references neither data nor experiments); these tests check
/// what the compiler cannot: which packages each assembly references, and the arrows between namespaces inside one.</summary>
public sealed class LayerTests
{
    private const string Root = "MtlNotebooks";

    private const string Data = $"{Root}.Data", Modules = $"{Root}.Modules", Balancing = $"{Root}.Balancing", Tasks = $"{Root}.Tasks",
        Training = $"{Root}.Training", Analysis = $"{Root}.Analysis", Experiments = $"{Root}.Experiments", Runtime = $"{Root}.Runtime",
        Weights = $"{Root}.Weights";

    public static TheoryData<string, string[]> Rules() => new()
    {
        { Runtime, [Data, Modules, Balancing, Tasks, Weights, Training, Analysis, Experiments] },   // the platform's workarounds, under every layer
        { Data, [Modules, Balancing, Tasks, Training, Analysis, Experiments] },
        { Weights, [Data, Modules, Balancing, Tasks, Training, Analysis, Experiments] },   // file formats: below the networks that load them and the trainer that checkpoints
        { Modules, [Training, Analysis, Experiments] },
        { Balancing, [Training, Analysis, Experiments] },
        { Tasks, [Modules, Balancing, Training, Analysis, Experiments] },
        { Training, [Analysis, Experiments] },
        { Analysis, [Experiments] },
        { $"{Root}.Modules.DecoderFocused", [$"{Root}.Modules.Backbones"] },   // decoders read feature levels, never a backbone type
        { Root, [Analysis, Experiments] },
        { $"{Root}.Checks", [Analysis, Experiments] },
        { $"{Root}.Sharing", [Training, Analysis, Experiments] },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Layer_DoesNotDependOnTheLayersAboveIt(string layer, string[] above)
    {
        var wrong = WrongArrows(layer, above);
        Assert.True(wrong.Count == 0, $"{layer} must not depend on {string.Join(", ", above)}; these types do: " +
                                      string.Join(", ", wrong));
    }

    /// <summary>The core, the data assembly and the experiments assembly, bottom to top.</summary>
    internal static Assembly[] Library { get; } =
        [typeof(MultiTaskNet).Assembly, typeof(SyntheticDataset).Assembly, typeof(DeltaM).Assembly];

    /// <summary>What each assembly may reference besides the shared framework: the core only TorchSharp, the readers of
    /// PyTorch's files (TorchSharp.PyBridge and its pickle reader) and the zip checksum they are checked with
    /// (System.IO.Hashing, a package, not part of the framework), so a researcher who uses the modules in their own loop
    /// pulls nothing for images, tables or charts.</summary>
    public static TheoryData<string, string[]> References() => new()
    {
        { "MtlNotebooks.Core", ["TorchSharp", "TorchSharp.PyBridge", "Razorvine.Pickle", "System.IO.Hashing"] },
        { "MtlNotebooks.Data", ["TorchSharp", "MtlNotebooks.Core", "SkiaSharp", "System.IO.Hashing"] },
        { "MtlNotebooks", ["TorchSharp", "MtlNotebooks.Core", "MtlNotebooks.Data", "Plotly.NET", "Plotly.NET.CSharp", "FSharp.Core",
            "Microsoft.Data.Analysis", "MathNet.Numerics"] },
    };

    [Theory]
    [MemberData(nameof(References))]
    public void Assembly_ReferencesOnlyItsLayersPackages(string assembly, string[] allowed)
    {
        var library = Library.Single(a => a.GetName().Name == assembly);
        var extra = UnexpectedReferences(library, allowed);
        Assert.True(extra.Count == 0, $"{assembly} references {string.Join(", ", extra)}; it may reference only {string.Join(", ", allowed)} and the framework.");
    }

    /// <summary>References that are neither in <paramref name="allowed"/> nor part of the shared framework (an assembly of
    /// the runtime's own folder: a <c>System.*</c> name alone does not make a package part of it).</summary>
    internal static IReadOnlyList<string> UnexpectedReferences(Assembly assembly, string[] allowed) =>
        [.. assembly.GetReferencedAssemblies().Select(r => r.Name!).Where(n => !allowed.Contains(n) && !InFramework(n))];

    private static readonly string FrameworkFolder = Path.GetDirectoryName(typeof(object).Assembly.Location)!;

    private static bool InFramework(string name) => File.Exists(Path.Combine(FrameworkFolder, name + ".dll"));

    [Fact]
    public void TheLibrary_HasNoCommandLineWordsAndNoHost() =>
        Assert.Empty(WrongArrows(Root, ["System.CommandLine", "Spectre.Console", $"{Root}.Cli", $"{Root}.Scripting", $"{Root}.Kernel"], wholeLibrary: true));

    /// <summary>The types of <paramref name="layer"/> and the namespaces under it (the root namespace alone for "MtlNotebooks",
    /// every namespace with <paramref name="wholeLibrary"/>) that depend on any of <paramref name="above"/>. A namespace is
    /// matched whole: "MtlNotebooks.Data" is not the root's DataSetPreset.</summary>
    internal static IReadOnlyList<string> WrongArrows(string layer, string[] above, bool wholeLibrary = false)
    {
        var pattern = wholeLibrary ? $"^{Root}(\\..*)?$" : layer == Root ? $"^{Root}$" : $"^{layer.Replace(".", "\\.")}(\\..*)?$";
        var result = Types.InAssemblies(Library).That().ResideInNamespaceMatching(pattern)
            .ShouldNot().HaveDependencyOnAny(above).GetResult();
        return result.IsSuccessful ? [] : result.FailingTypeNames.ToList();
    }
}
