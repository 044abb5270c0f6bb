using System.Text.Json;
using System.Text.Json.Serialization;

namespace MtlNotebooks.Data;

/// <summary>Where a data set comes from (documentation only: nothing downloads).</summary>
public sealed record ManifestSource(string Url, string? AlternativeUrl, string Archive, string Notes);
