using MtlNotebooks.Scripting;

namespace MtlNotebooks.NotebookTests;

/// <summary>The script runner (<c>mtl script</c>): arguments in, the return value as the exit code, <c>#load</c>, errors
/// named by script, line and column, and the directives it reads.</summary>
public sealed class ScriptRunnerTests : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("mtl-script-");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public async Task Script_ArgsAndReturnValue_BecomeTheExitCode()
    {
        var path = Path.Combine(_scratch.FullName, "args.csx");
        await File.WriteAllTextAsync(path, "#r \"nuget: MtlNotebooks, 0.1.0\"\nreturn Args.Count == 2 && Args[0] == \"--epochs\" ? 7 : 3;");

        var result = await ScriptRunner.RunAsync(path, ["--epochs", "2"]).WaitAsync(HangGuard);

        Assert.Null(result.Error);
        Assert.Equal(7, result.ExitCode);
    }

    [Fact]
    public async Task Script_Arguments_GiveTheOptionsTyped()
    {
        var path = Path.Combine(_scratch.FullName, "options.csx");
        await File.WriteAllTextAsync(path,
            "var epochs = Arguments.Int(\"--epochs\", 1, min: 1);\nvar smoke = Arguments.Flag(\"--smoke\");\nArguments.RejectUnknown();\nreturn smoke ? epochs : 0;");

        var result = await ScriptRunner.RunAsync(path, ["--smoke", "--epochs", "6"]).WaitAsync(HangGuard);
        var unknown = await ScriptRunner.RunAsync(path, ["--epoch", "6"]).WaitAsync(HangGuard);

        Assert.Null(result.Error);
        Assert.Equal(6, result.ExitCode);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("options.csx(3): ArgumentException: Unknown option '--epoch'. Known: --epochs, --smoke.", unknown.Error);
    }

    [Fact]
    public async Task Script_LoadDirective_RunsTheLoadedFile()
    {
        await File.WriteAllTextAsync(Path.Combine(_scratch.FullName, "_shared.csx"), "int Twice(int x) => 2 * x;");
        var path = Path.Combine(_scratch.FullName, "main.csx");
        await File.WriteAllTextAsync(path, "#load \"_shared.csx\"\nreturn Twice(21);");

        var result = await ScriptRunner.RunAsync(path, []).WaitAsync(HangGuard);

        Assert.Null(result.Error);
        Assert.Equal(42, result.ExitCode);
    }

    [Fact]
    public async Task Script_CompilationError_NamesScriptLineAndColumn()
    {
        var path = Path.Combine(_scratch.FullName, "broken.csx");
        await File.WriteAllTextAsync(path, "var a = 1;\nvar b = a.NoSuchMember;");

        var result = await ScriptRunner.RunAsync(path, []).WaitAsync(HangGuard);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("broken.csx, line 2, column 11: error CS1061:", result.Error);
    }

    [Fact]
    public void Directives_Extract_KeepsLineNumbersAndParsesPackages()
    {
        var (code, directives) = Directives.Extract("#i \"nuget: ../feed\"\n#r \"nuget: Foo.Bar, 1.2.3-beta\"\n#r \"nuget: Baz\"\nvar x = 1;");

        Assert.Equal("\n\n\nvar x = 1;", code);
        Assert.Equal(new SourceDirective(1, "#i \"nuget: ../feed\"", "../feed"), directives[0]);
        Assert.Equal(new PackageDirective(2, "#r \"nuget: Foo.Bar, 1.2.3-beta\"", "Foo.Bar", "1.2.3-beta"), directives[1]);
        Assert.Equal(new PackageDirective(3, "#r \"nuget: Baz\"", "Baz", null), directives[2]);
    }
}
