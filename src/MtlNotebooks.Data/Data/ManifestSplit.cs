using System.Text.Json;
using System.Text.Json.Serialization;

namespace MtlNotebooks.Data;

/// <summary>A split: the list file of sample ids (one per line) and the expected count.</summary>
public sealed record ManifestSplit(string Name, string List, int Count);
