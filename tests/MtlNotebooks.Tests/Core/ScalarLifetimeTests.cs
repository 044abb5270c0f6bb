using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MtlNotebooks.Tests.Experiments;

namespace MtlNotebooks.Tests.Core;

/// <summary>TorchSharp turns a number passed where it wants a <c>Scalar</c> into a finalisable wrapper and hands libtorch its
/// native handle; nothing keeps the wrapper alive during the native call, so a collection can free the scalar while libtorch
/// reads it ("Unknown scalar type" or garbage). The library therefore holds every scalar operand in a variable (or uses a
/// tensor) for as long as libtorch uses it. This test compiles the library's source and lists every implicit conversion of a
/// number to <c>Scalar</c> outside such a declaration.</summary>
public sealed class ScalarLifetimeTests
{
    /// <summary>The library's three assemblies (the core, data, experiments); the hosts pass no scalars to libtorch.</summary>
    private static readonly string[] LibraryProjects = ["MtlNotebooks.Core", "MtlNotebooks.Data", "MtlNotebooks"];

    [Fact]
    public void Library_PassesNoNumberWhereTorchSharpWantsAScalar()
    {
        var src = Path.Combine(ReadmeTests.RepositoryRoot(), "src", "MtlNotebooks");
        var files = LayoutTests.SourceFiles().Cast<object[]>().Select(row => (string)row[0]).Where(f => LibraryProjects.Any(p => f.StartsWith(p + "/", StringComparison.Ordinal)))
            .Select(f => Path.Combine(ReadmeTests.RepositoryRoot(), "src", f)).ToArray();
        Assert.True(files.Length > 100, $"only {files.Length} library source files found under {src}");
        var options = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Preview);
        var usings = CSharpSyntaxTree.ParseText(string.Join('\n',
            new[] { "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks" }
                .Select(n => $"global using global::{n};")), options);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), options, f)).Append(usings).ToArray();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("MtlNotebooks", StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("ScalarScan", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        // The scan trusts the semantic model only where the source compiles on its own: declarations here (CS8795: the parts
        // source generators, [GeneratedRegex], would add), method bodies by the types of their expressions below, which
        // the scan reads anyway (a full GetDiagnostics would bind every body a second time).
        var errors = compilation.GetDeclarationDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795").Take(5).ToArray();
        Assert.True(errors.Length == 0, "the library's source does not compile on its own:\n" + string.Join('\n', errors.Select(e => e.ToString())));
        var unresolved = new List<string>();

        var scalar = compilation.GetTypeByMetadataName("TorchSharp.Scalar")!;
        var tensor = compilation.GetTypeByMetadataName("TorchSharp.torch+Tensor")!;
        var found = new List<string>();
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var binary in tree.GetRoot().DescendantNodes().OfType<BinaryExpressionSyntax>())
            {
                // Tensor's operators taking a number (x * 0.5, 1 - x) convert it inside TorchSharp, out of reach; a held Scalar is fine.
                if (model.GetSymbolInfo(binary).Symbol is not IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator } op ||
                    !SymbolEqualityComparer.Default.Equals(op.ContainingType, tensor) ||
                    op.Parameters.All(p => SymbolEqualityComparer.Default.Equals(p.Type, tensor) || SymbolEqualityComparer.Default.Equals(p.Type, scalar))) continue;
                var line = tree.GetLineSpan(binary.Span).StartLinePosition.Line + 1;
                found.Add($"{Path.GetRelativePath(src, tree.FilePath)}:{line}: {binary}");
            }
            foreach (var node in tree.GetRoot().DescendantNodes().Where(n => n is BinaryExpressionSyntax or AssignmentExpressionSyntax or InvocationExpressionSyntax))
            {
                // TorchSharp's add(x), add_(x), x + y and s - x pass libtorch an alpha of 1 made on the spot, which nothing
                // holds either (HeldScalars).
                if (model.GetSymbolInfo(node).Symbol is not IMethodSymbol method || !SymbolEqualityComparer.Default.Equals(method.ContainingType, tensor)) continue;
                var implicitAlpha = method.MethodKind == MethodKind.UserDefinedOperator
                    ? method.Name == "op_Addition" || method.Name == "op_Subtraction" && !SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, tensor)
                    : method.Name is "add" or "add_" && method.Parameters.Length == 1;
                if (!implicitAlpha) continue;
                var line = tree.GetLineSpan(node.Span).StartLinePosition.Line + 1;
                found.Add($"{Path.GetRelativePath(src, tree.FilePath)}:{line}: {node} (implicit alpha)");
            }
            foreach (var expression in tree.GetRoot().DescendantNodes().OfType<ExpressionSyntax>())
            {
                var type = model.GetTypeInfo(expression);
                if (type.Type is { TypeKind: TypeKind.Error } && unresolved.Count < 5 && !HasNoTypeOfItsOwn(expression))
                    unresolved.Add($"{Path.GetRelativePath(src, tree.FilePath)}:{tree.GetLineSpan(expression.Span).StartLinePosition.Line + 1}: {expression}");
                if (!SymbolEqualityComparer.Default.Equals(type.ConvertedType, scalar) ||
                    !model.GetConversion(expression).IsUserDefined) continue;
                if (expression.Parent is MemberAccessExpressionSyntax access && access.Name == expression) continue;   // seen whole
                if (expression.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax }) continue;   // held by name
                var line = tree.GetLineSpan(expression.Span).StartLinePosition.Line + 1;
                found.Add($"{Path.GetRelativePath(src, tree.FilePath)}:{line}: {expression}");
            }
        }
        Assert.True(unresolved.Count == 0, "the library's source does not compile on its own; expressions of unknown type:\n" + string.Join('\n', unresolved));
        Assert.True(found.Count == 0, $"{found.Count} numbers become Scalars nothing holds:\n" + string.Join('\n', found));
    }

    /// <summary>The name in <c>nameof(x)</c> and an omitted array size, which Roslyn types as errors in code that compiles.</summary>
    private static bool HasNoTypeOfItsOwn(ExpressionSyntax expression) =>
        expression is OmittedArraySizeExpressionSyntax or OmittedTypeArgumentSyntax ||
        expression is IdentifierNameSyntax { Identifier.ValueText: "nameof", Parent: InvocationExpressionSyntax };
}
