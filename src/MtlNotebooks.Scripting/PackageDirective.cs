namespace MtlNotebooks.Scripting;

/// <summary><c>#r "nuget: Id[, Version]"</c>; <see cref="Version"/> is null when none is given.</summary>
public sealed record PackageDirective(int Line, string Text, string Id, string? Version) : Directive(Line, Text);
