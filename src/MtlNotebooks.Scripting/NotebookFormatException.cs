namespace MtlNotebooks.Scripting;

/// <summary>A notebook file that is not a readable nbformat 4 document.</summary>
public sealed class NotebookFormatException(string path, string problem) : Exception($"{path} {problem}.");
