using TorchSharp;

namespace MtlNotebooks.Runtime;

/// <summary>Scalars held for the whole process. TorchSharp's <c>x.add(y)</c>, <c>x.add_(y)</c> and <c>x + y</c> pass
/// libtorch an alpha of 1 made on the spot, and nothing keeps that wrapper alive during the native call: a collection
/// can free it while libtorch reads it. On an integer tensor that fails ("alpha must not be a floating point number");
/// on a float one it can add the wrong multiple. The library therefore writes <c>x.add(y, One)</c>, and a unit of your
/// own can do the same. (<c>x - y</c>, <c>mul</c> and <c>div</c> pass no alpha; <c>s - x</c> does, as <c>-x + s</c>.)
/// Never dispose it.</summary>
public static class HeldScalars
{
    /// <summary>1, for the alpha of <c>add</c> and <c>add_</c>.</summary>
    public static readonly Scalar One = 1;
}
