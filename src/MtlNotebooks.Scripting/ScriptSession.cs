using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Html;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.DotNet.Interactive.Formatting;
using MtlNotebooks.Interactive;
using MtlNotebooks.Runtime;

namespace MtlNotebooks.Scripting;

/// <summary>One chain of Roslyn script submissions, as the .NET Interactive C# kernel runs a notebook: the first cell
/// with CSharpScript.RunAsync, every later one with ContinueWithAsync, so variables, usings and references carry over.
/// Kernel directives are handled here; <c>#r "file.dll"</c> and <c>#load</c> are resolved by Roslyn against the
/// notebook's folder.</summary>
internal sealed class ScriptSession
{
    /// <summary>The C# kernel's default imports (dotnet/interactive CSharpKernel.cs).</summary>
    public static readonly ImmutableArray<string> DefaultImports =
        ["System", "System.Text", "System.Collections", "System.Collections.Generic", "System.Threading.Tasks", "System.Linq"];

    /// <summary>dotnet-script's default imports, for .csx files (System.Console is a static import: WriteLine).</summary>
    public static readonly ImmutableArray<string> ScriptImports =
    [
        "System", "System.IO", "System.Collections.Generic", "System.Console", "System.Diagnostics", "System.Dynamic", "System.Linq",
        "System.Linq.Expressions", "System.Text", "System.Threading.Tasks",
    ];

    /// <summary>What the kernel's UseKernelHelpers submits first: display(), HTML().</summary>
    public const string KernelHelpersPrelude = "using static MtlNotebooks.Scripting.KernelHelpers;";

    private static readonly MethodInfo? HasReturnValueMethod =
        typeof(Script).GetMethod("HasReturnValue", BindingFlags.Instance | BindingFlags.NonPublic);

    private readonly PackageResolver _packages = new();
    private readonly string _baseDirectory;
    private readonly object? _globals;
    private readonly Type? _globalsType;
    private ScriptOptions _options;
    private ScriptState<object>? _state;
    private readonly List<string> _submissions = [];

    public ScriptSession(string baseDirectory, string? filePath = null, object? globals = null)
    {
        TorchRuntime.EnsureConfigured();   // a cell may call TorchSharp before touching the library
        MtlFormatters.Register();
        _baseDirectory = Path.GetFullPath(baseDirectory);
        _globals = globals;
        _globalsType = globals?.GetType();
        _options = ScriptOptions.Default
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithImports(globals is ScriptGlobals ? ScriptImports : DefaultImports)
            .AddReferences(
                typeof(Enumerable).Assembly,
                typeof(IEnumerable<>).Assembly,
                typeof(Task<>).Assembly,
                typeof(KernelHelpers).Assembly,
                typeof(Formatter).Assembly,
                typeof(IHtmlContent).Assembly)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(_baseDirectory))
            .WithSourceResolver(new SourceFileResolver(ImmutableArray<string>.Empty, _baseDirectory))
            .WithFilePath(filePath ?? "")
            // Debug information gives stack frames the script's lines (an error names its line); PDBs need the encoding.
            .WithEmitDebugInformation(true)
            .WithFileEncoding(Encoding.UTF8);
    }

    public object? ReturnValue => _state?.ReturnValue;

    /// <summary>What a notebook shows for <see cref="ReturnValue"/>: a tuple (or sequence of tuples) as a table under the
    /// element names the code gave it, anything else as it is.</summary>
    public object? ReturnValueToShow() => _state is null ? null : TupleElementNames.Apply(_state.Script, _state.ReturnValue);

    /// <summary>The code of every submission that ran to its end, in order (directives removed): what later cells see.</summary>
    public IReadOnlyList<string> Submissions => _submissions;

    /// <summary>The namespaces every submission imports.</summary>
    public ImmutableArray<string> Imports => _options.Imports;

    /// <summary>The references a next submission compiles against: the last submission's, else the session's options'.</summary>
    public IEnumerable<MetadataReference> References() =>
        _state?.Script.GetCompilation().References ?? _options.MetadataReferences.OfType<PortableExecutableReference>();

    /// <summary>Whether the last submission ended with an expression (no semicolon), whose value a kernel displays.</summary>
    public bool HasReturnValue => _state is not null && HasReturnValueMethod?.Invoke(_state.Script, null) is true;

    /// <summary>Applies the directives of a cell (package references, sources, magics) and returns the C# left.</summary>
    public string ApplyDirectives(string source, string where)
    {
        var (code, directives) = Directives.Extract(source);
        var firstCodeLine = source.ReplaceLineEndings("\n").Split('\n').Select((l, i) => (l, i)).FirstOrDefault(x => x.l.Trim().Length > 0).i + 1;
        foreach (var directive in directives)
        {
            switch (directive)
            {
                case MagicDirective { Name: "#!csharp" or "#!c#" or "#!C#" } magic when magic.Line == firstCodeLine:
                    break; // the kernel chooser of a C# cell
                case MagicDirective magic:
                    throw new UnsupportedMagicException(
                        $"{where}, line {magic.Line}: the magic command '{magic.Name}' is not supported by the headless runner " +
                        "(it runs C# with #r \"nuget: …\", #r \"file.dll\", #i and #load; other magics need a .NET Interactive kernel).");
                case SourceDirective s:
                    _packages.AddSource(s.Source, _baseDirectory);
                    break;
                case PackageDirective p:
                    try
                    {
                        _options = _options.AddReferences(_packages.Resolve(p.Id, p.Version));
                    }
                    catch (PackageResolutionException ex)
                    {
                        throw new PackageResolutionException($"{where}, line {p.Line}: {ex.Message}");
                    }

                    break;
            }
        }

        return code;
    }

    /// <summary>Runs the helper prelude (display, HTML) as the kernel does before the first cell.</summary>
    public Task StartWithKernelHelpersAsync(CancellationToken cancellationToken) => SubmitAsync(KernelHelpersPrelude, cancellationToken);

    /// <summary>The path a cell is compiled under (in the notebook's folder, so <c>#load</c> and <c>#r</c> resolve as
    /// before): stack frames of code in "cell 3" name that cell.</summary>
    public string SourcePath(string where) => Path.Combine(_baseDirectory, where);

    /// <summary>Compiles and runs one submission, under <paramref name="filePath"/> if given (else the session's file).
    /// Compilation errors throw <see cref="CompilationErrorException"/>; exceptions thrown by the code propagate.</summary>
    public async Task SubmitAsync(string code, CancellationToken cancellationToken, string? filePath = null)
    {
        var options = filePath is null ? _options : _options.WithFilePath(filePath);
        _state = _state is null
            ? await CSharpScript.RunAsync(code, options, _globals, _globalsType, cancellationToken).ConfigureAwait(false)
            : await _state.ContinueWithAsync(code, options, cancellationToken).ConfigureAwait(false);
        _submissions.Add(code);
    }
}
