using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MtlNotebooks.Tests.Experiments;

namespace MtlNotebooks.Tests.Core;

/// <summary>The layout rules of docs/architecture.md, checked on the sources so they cannot drift: namespaces follow
/// folders, a file holds the type it is named after, files stay short, and no namespace directly under the root shadows a factory.</summary>
public sealed class LayoutTests
{
    private const int MaxLines = 400;

    public static TheoryData<string> SourceFiles() => CSharpFiles("src");

    /// <summary>Every .cs file under the repository's <paramref name="folder"/> (build output aside), relative to it.</summary>
    private static TheoryData<string> CSharpFiles(string folder)
    {
        var root = Path.Combine(ReadmeTests.RepositoryRoot(), folder);
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") &&
                                 !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
                     .Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(root, file).Replace('\\', '/'));
        return data;
    }

    private static CompilationUnitSyntax Parse(string relative) =>
        CSharpSyntaxTree.ParseText(File.ReadAllText(Path.Combine(ReadmeTests.RepositoryRoot(), "src", relative))).GetCompilationUnitRoot();

    [Theory]
    [MemberData(nameof(SourceFiles))]
    public void SourceFile_Namespace_MatchesItsFolder(string relative)
    {
        var root = Parse(relative);
        var parts = relative.Split('/');
        var expected = string.Join('.', [RootNamespace(parts[0]), .. parts[1..^1]]);
        var declared = root.Members.OfType<BaseNamespaceDeclarationSyntax>().Select(n => n.Name.ToString()).ToArray();
        if (declared.Length == 0 && root.Members.OfType<GlobalStatementSyntax>().Any()) return;   // a Program.cs of top-level statements
        Assert.True(declared.SequenceEqual([expected]), $"{relative} declares namespace {string.Join(", ", declared)}; its folder says {expected}.");
    }

    /// <summary>A project's root namespace (its csproj's RootNamespace, else its name): the library's three assemblies
    /// share "MtlNotebooks", so a namespace is the same whichever assembly holds it.</summary>
    private static string RootNamespace(string project)
    {
        var csproj = System.Xml.Linq.XDocument.Load(Path.Combine(ReadmeTests.RepositoryRoot(), "src", project, project + ".csproj"));
        return csproj.Descendants("RootNamespace").FirstOrDefault()?.Value ?? project;
    }

    [Theory]
    [MemberData(nameof(SourceFiles))]
    public void SourceFile_HoldsTheTypeItIsNamedAfter(string relative)
    {
        var root = Parse(relative);
        if (root.Members.OfType<GlobalStatementSyntax>().Any()) return;
        var name = Path.GetFileNameWithoutExtension(relative);
        var types = root.DescendantNodes().OfType<BaseTypeDeclarationSyntax>().Where(t => t.Parent is BaseNamespaceDeclarationSyntax)
            .Select(t => t.Identifier.Text).Concat(root.DescendantNodes().OfType<DelegateDeclarationSyntax>().Select(d => d.Identifier.Text)).ToArray();
        Assert.True(types.Contains(name), $"{relative} should hold a type named {name}; it holds {string.Join(", ", types)}.");
    }

    /// <summary>A reader finds a public type by its file name: one public top-level type per file. A balancer's spec
    /// may sit beside the module it builds (the pair is one idea: options and the loss-weighting module).</summary>
    [Theory]
    [MemberData(nameof(SourceFiles))]
    public void SourceFile_HoldsOnePublicTopLevelType(string relative)
    {
        var root = Parse(relative);
        var name = Path.GetFileNameWithoutExtension(relative);
        var types = root.DescendantNodes().OfType<MemberDeclarationSyntax>()
            .Where(t => t.Parent is BaseNamespaceDeclarationSyntax && t.Modifiers.Any(m => m.IsKind(SyntaxKind.PublicKeyword)))
            .Select(t => t switch { BaseTypeDeclarationSyntax b => b.Identifier.Text, DelegateDeclarationSyntax d => d.Identifier.Text, _ => "?" })
            .Where(t => t != name).ToArray();
        bool balancerPair = relative.Contains("/Balancing/") && types.Length == 1;
        Assert.True(types.Length == 0 || balancerPair,
            $"{relative} holds public types besides {name}: {string.Join(", ", types)}; give each its own file.");
    }

    [Theory]
    [MemberData(nameof(SourceFiles))]
    public void SourceFile_IsShortEnoughToReadInOneSitting(string relative)
    {
        int lines = File.ReadAllLines(Path.Combine(ReadmeTests.RepositoryRoot(), "src", relative)).Length;
        Assert.True(lines <= MaxLines, $"{relative} has {lines} lines (at most {MaxLines}): split it by what each part does.");
    }

    /// <summary>Every test file of both test projects, relative to <c>tests/</c>.</summary>
    public static TheoryData<string> TestFiles() => CSharpFiles("tests");

    /// <summary>Tests are read as often as the code they check: the same length rule.</summary>
    [Theory]
    [MemberData(nameof(TestFiles))]
    public void TestFile_IsShortEnoughToReadInOneSitting(string relative)
    {
        int lines = File.ReadAllLines(Path.Combine(ReadmeTests.RepositoryRoot(), "tests", relative)).Length;
        Assert.True(lines <= MaxLines, $"tests/{relative} has {lines} lines (at most {MaxLines}): split it by what each part checks.");
    }

    /// <summary>A reader finds the tests of a folder in the folder of the same name: every folder of the unit tests is
    /// a source folder's name (Core: the root; Cli: the command line; Build: the build's native-library fix; Fixtures:
    /// the reference scripts and their outputs).</summary>
    [Fact]
    public void TestFolders_MirrorSourceFolders()
    {
        var root = ReadmeTests.RepositoryRoot();
        var sourceFolders = Directory.GetDirectories(Path.Combine(root, "src"), "*", SearchOption.AllDirectories)
            .Where(d => !d.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Select(Path.GetFileName).ToHashSet();
        string[] outside = ["Core", "Cli", "Build", "Fixtures", "bin", "obj"];   // bin and obj: the test project's own build
        var strays = Directory.GetDirectories(Path.Combine(root, "tests", "MtlNotebooks.Tests")).Select(Path.GetFileName)
            .Where(f => !sourceFolders.Contains(f) && !outside.Contains(f)).ToArray();
        Assert.True(strays.Length == 0, $"test folders that name no source folder: {string.Join(", ", strays)}.");
    }

    [Fact]
    public void RootFactories_AreNotShadowedByNamespaces()
    {
        var namespaces = LayerTests.Library.SelectMany(a => a.GetTypes()).Select(t => t.Namespace ?? "").ToHashSet();
        var factories = LayerTests.Library.SelectMany(a => a.GetExportedTypes()).Where(t => t.Namespace == "MtlNotebooks" && t.IsAbstract && t.IsSealed).Select(t => t.Name);
        var shadowed = factories.Where(f => namespaces.Contains($"MtlNotebooks.{f}")).ToArray();   // MtlNotebooks.Backbones would hide Backbones
        Assert.True(shadowed.Length == 0, $"namespaces named like root factories: {string.Join(", ", shadowed)}");
    }
}
