namespace MtlNotebooks.Scripting;

/// <summary>A -p value that does not fit the notebook's parameters cell.</summary>
public sealed class NotebookParameterException(string message) : Exception(message);
