using System.IO.Compression;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace MtlNotebooks.NotebookTests;

/// <summary>Real .nupkg files (flat feed layout) for the package resolver's tests.</summary>
internal static class TestPackages
{
    /// <summary>Writes <c>id.version.nupkg</c> holding one assembly compiled from <paramref name="source"/> in each of
    /// <paramref name="libFolders"/> (default lib/netstandard2.0), and a nuspec with <paramref name="dependencyGroups"/>
    /// (its &lt;dependencies&gt; XML, if any).</summary>
    public static void Write(string folder, string id, string version, string source, string[]? libFolders = null, string dependencyGroups = "")
    {
        var compilation = CSharpCompilation.Create(id, [CSharpSyntaxTree.ParseText(source)],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)], new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var dll = new MemoryStream();
        var emitted = compilation.Emit(dll);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        using var zip = ZipFile.Open(Path.Combine(folder, $"{id}.{version}.nupkg"), ZipArchiveMode.Create);
        foreach (var lib in libFolders ?? ["netstandard2.0"])
        {
            using var entry = zip.CreateEntry($"lib/{lib}/{id}.dll").Open();
            entry.Write(dll.ToArray());
        }

        using var nuspec = new StreamWriter(zip.CreateEntry($"{id}.nuspec").Open());
        nuspec.Write($"<?xml version=\"1.0\"?><package><metadata><id>{id}</id><version>{version}</version><authors>t</authors>" +
                     $"<description>t</description>{dependencyGroups}</metadata></package>");
    }
}
