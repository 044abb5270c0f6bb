namespace MtlNotebooks.Scripting;

/// <summary><c>#i "nuget: source"</c>: a package source, a folder (relative to the notebook) or a feed URL.</summary>
public sealed record SourceDirective(int Line, string Text, string Source) : Directive(Line, Text);
