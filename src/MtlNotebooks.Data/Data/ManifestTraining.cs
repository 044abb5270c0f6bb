using System.Text.Json;
using System.Text.Json.Serialization;

namespace MtlNotebooks.Data;

/// <summary>Training setup notes of a data set.</summary>
public sealed record ManifestTraining(int Height, int Width, string Notes);
