using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace MtlNotebooks.Tests.Experiments;

/// <summary>The README's library example is executed, so it cannot drift from the API.</summary>
[Collection("Torch")]
public sealed class ReadmeTests
{
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MtlNotebooks.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No MtlNotebooks.sln above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public async Task Readme_CSharpExample_Runs()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var match = Regex.Match(readme, "```csharp\\n(.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, "README.md has no ```csharp block");
        var options = ScriptOptions.Default
            .AddReferences([.. MtlNotebooks.Tests.Core.LayerTests.Library, typeof(TorchSharp.torch).Assembly])
            .AddImports("System", "System.Linq", "System.Collections.Generic");
        string printed;
        using (var console = ConsoleCapture.Start())
        {
            await CSharpScript.RunAsync(match.Groups[1].Value, options);
            printed = console.Output.ToString();
        }
        Assert.Contains("Δm", printed);
        Assert.Matches(@"semseg mIoU \d+\.\d", printed);
    }
}
