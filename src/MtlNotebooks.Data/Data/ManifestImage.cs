using System.Text.Json;
using System.Text.Json.Serialization;

namespace MtlNotebooks.Data;

/// <summary>The input images: folder, file pattern (<c>{id}</c> = the sample id), format and, when fixed, the size.</summary>
public sealed record ManifestImage(string Folder, string Pattern, string Format, int? Height = null, int? Width = null);
