using System.Text.RegularExpressions;
using MtlNotebooks.Tests.Experiments;

namespace MtlNotebooks.Tests.Core;

/// <summary>A test that seeds or draws from libtorch's global generator, or trains, must not run beside another that
/// does: xUnit runs test classes in parallel, and a draw in between makes a "same seed, same numbers" check fail now and
/// then. Such classes join the "Torch" collection, which runs one at a time.</summary>
public sealed partial class TorchCollectionTests
{
    [GeneratedRegex(@"\b(manual_seed|randn|rand|randint|randn_like|rand_like)\(|\.Fit\(|ConflictSweep\.Run\(|QuickExperiment\.Run\(")]
    private static partial Regex GlobalTorchUse();

    public static TheoryData<string> TestFiles()
    {
        var root = Path.Combine(ReadmeTests.RepositoryRoot(), "tests", "MtlNotebooks.Tests");
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(root, "*Tests.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(root, file).Replace('\\', '/'));
        return data;
    }

    [Theory]
    [MemberData(nameof(TestFiles))]
    public void TestClass_UsingLibtorchGlobalState_RunsInTheTorchCollection(string relative)
    {
        var text = File.ReadAllText(Path.Combine(ReadmeTests.RepositoryRoot(), "tests", "MtlNotebooks.Tests", relative));
        var use = GlobalTorchUse().Match(text);
        if (use.Success && relative != "Core/TorchCollectionTests.cs")
            Assert.True(text.Contains("[Collection(\"Torch\")]", StringComparison.Ordinal),
                $"{relative} calls {use.Value} but is not in [Collection(\"Torch\")]; it may run beside another test that seeds libtorch.");
    }
}
