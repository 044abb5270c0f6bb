namespace MtlNotebooks.Scripting;

/// <summary>A kernel directive of a cell or script line: <c>#r "nuget: Id, Version"</c>, <c>#i "nuget: source"</c>, or a
/// <c>#!</c> magic command. <c>#r "file.dll"</c> and <c>#load</c> are left to Roslyn (resolved against the notebook's
/// folder).</summary>
public abstract record Directive(int Line, string Text);
