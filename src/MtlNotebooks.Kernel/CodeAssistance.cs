using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Completion;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.QuickInfo;
using Microsoft.CodeAnalysis.Text;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.Kernel;

/// <summary>Completion, quick info and "is this cell complete?" from Roslyn (CSharp.Features), over one script document
/// that holds the session's previous submissions followed by the cell being edited, compiled against the session's
/// references and imports. Using directives of every part are moved to the document's head (a script accepts them only
/// there); their text in place is blanked, so offsets in the edited cell do not move.</summary>
internal sealed class CodeAssistance
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, kind: SourceCodeKind.Script);
    private readonly AdhocWorkspace _workspace = new();

    public sealed record Completion(IReadOnlyList<string> Matches, int CursorStart, int CursorEnd);

    public async Task<Completion> CompleteAsync(ScriptSession session, string code, int cursor, CancellationToken cancellationToken)
    {
        var (document, offset, prefixLength) = Document(session, code, cursor);
        var service = CompletionService.GetService(document);
        if (service is null) return new Completion([], cursor, cursor);
        var list = await service.GetCompletionsAsync(document, offset, cancellationToken: cancellationToken).ConfigureAwait(false);
        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        var typed = text.ToString(TextSpan.FromBounds(list.Span.Start, offset));
        // Every item the typed prefix starts (Jupyter shows them all), not only the editor's best matches.
        var items = list.ItemsList.Where(i => i.FilterText.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .OrderBy(i => !i.FilterText.StartsWith(typed, StringComparison.Ordinal)).ThenBy(i => i.SortText, StringComparer.OrdinalIgnoreCase);
        var matches = items.Select(i => i.DisplayTextPrefix + i.DisplayText + i.DisplayTextSuffix).Distinct(StringComparer.Ordinal).ToList();
        return new Completion(matches, list.Span.Start - prefixLength, list.Span.End - prefixLength);
    }

    /// <summary>The quick info (signature, documentation) at the cursor or just before it; null when there is none.</summary>
    public async Task<string?> InspectAsync(ScriptSession session, string code, int cursor, CancellationToken cancellationToken)
    {
        var (document, offset, _) = Document(session, code, cursor);
        var service = QuickInfoService.GetService(document);
        if (service is null) return null;
        foreach (var position in new[] { offset, offset - 1 }.Where(p => p >= 0))
        {
            var info = await service.GetQuickInfoAsync(document, position, cancellationToken).ConfigureAwait(false);
            if (info is { Sections.Length: > 0 })
                return string.Join("\n", info.Sections.Select(s => s.Text).Where(t => t.Length > 0));
        }

        return null;
    }

    /// <summary>Whether <paramref name="code"/> is a complete submission (a cell that ends inside a block is not).</summary>
    public static bool IsComplete(string code) => SyntaxFactory.IsCompleteSubmission(CSharpSyntaxTree.ParseText(Blank(code), ParseOptions));

    private (Document Document, int Offset, int PrefixLength) Document(ScriptSession session, string code, int cursor)
    {
        var usings = new StringBuilder();
        var bodies = new StringBuilder();
        foreach (var previous in session.Submissions.ToArray())
            bodies.Append(Split(previous, usings)).Append("\n;\n");   // a submission may end with an expression and no semicolon
        var cell = Split(Blank(code), usings);
        var prefix = usings.ToString() + bodies;
        var project = _workspace.CurrentSolution.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "cells", "cells",
            LanguageNames.CSharp, parseOptions: ParseOptions, isSubmission: false,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, usings: session.Imports),
            metadataReferences: session.References())).Projects.Single();
        var document = project.AddDocument("cells.csx", SourceText.From(prefix + cell, Encoding.UTF8));
        return (document, prefix.Length + Math.Clamp(cursor, 0, cell.Length), prefix.Length);
    }

    /// <summary>The code with its using directives (and #r, #load) blanked in place; the usings are appended to
    /// <paramref name="usings"/>.</summary>
    private static string Split(string code, StringBuilder usings)
    {
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(code, ParseOptions).GetRoot();
        var chars = code.ToCharArray();
        foreach (var directive in root.Usings)
        {
            usings.Append(directive.ToString()).Append('\n');
            BlankSpan(chars, directive.Span);
        }

        foreach (var directive in root.GetReferenceDirectives().Cast<SyntaxNode>().Concat(root.GetLoadDirectives()))
            BlankSpan(chars, directive.Span);
        return new string(chars);
    }

    /// <summary>Kernel directives (<c>#r "nuget:"</c>, <c>#i</c>, <c>#!magic</c>) blanked, so offsets stay.</summary>
    private static string Blank(string code)
    {
        var chars = code.ToCharArray();
        var start = 0;
        foreach (var line in code.Split('\n'))
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("#!", StringComparison.Ordinal) || trimmed.StartsWith("#i ", StringComparison.Ordinal) ||
                (trimmed.StartsWith("#r ", StringComparison.Ordinal) && trimmed.Contains("nuget:", StringComparison.Ordinal)))
                BlankSpan(chars, new TextSpan(start, line.Length));
            start += line.Length + 1;
        }

        return new string(chars);
    }

    private static void BlankSpan(char[] chars, TextSpan span)
    {
        for (var i = span.Start; i < span.End && i < chars.Length; i++)
            if (chars[i] is not ('\n' or '\r')) chars[i] = ' ';
    }
}
