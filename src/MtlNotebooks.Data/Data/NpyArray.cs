using System.Buffers.Binary;
using System.Text;

namespace MtlNotebooks.Data;

/// <summary>An array read from a .npy file, as float32 in C order, with its shape.</summary>
public sealed record NpyArray(float[] Values, IReadOnlyList<int> Shape);
