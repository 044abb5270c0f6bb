using System.Text.Json;
using System.Text.Json.Serialization;

namespace MtlNotebooks.Data;

/// <summary>One task's labels: folders tried in order, the file pattern, the label format and its encoding.</summary>
/// <remarks>Formats: <c>png-classes</c> (class map; <see cref="ZeroIsIgnore"/> and <see cref="Offset"/> as NYUD's
/// semseg), <c>png-binary</c> (grey, value/255 &gt; 0.5), <c>png-normals</c> (RGB, 2·value/255 − 1; with
/// <see cref="MaskPattern"/>, zeroed where the LabelMap class is not in <see cref="MaskValidClasses"/>), <c>npy-depth</c>,
/// <c>npy-normals</c>, <c>npy-edge</c>, <c>mat-labelmap-edges</c> (edges of a MATLAB LabelMap) and
/// <c>mat-human-parts</c> (Pascal-Part annotations grouped into 6 parts): see <see cref="PascalLabels"/>.</remarks>
public sealed record ManifestTask(
    string Name,
    IReadOnlyList<string> Folders,
    string Pattern,
    string Format,
    string Encoding,
    int? Classes = null,
    bool ZeroIsIgnore = false,
    int Offset = 0,
    IReadOnlyList<string>? ClassNames = null,
    string? MaskPattern = null,
    IReadOnlyList<int>? MaskValidClasses = null)
{
    /// <summary>Whether the loader can decode this format.</summary>
    [JsonIgnore]
    public bool IsSupported => DataManifest.SupportedFormats.Contains(Format);
}
