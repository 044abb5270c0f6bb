namespace MtlNotebooks.Scripting;

/// <summary>A <c>#!name</c> magic command.</summary>
public sealed record MagicDirective(int Line, string Text, string Name) : Directive(Line, Text);
