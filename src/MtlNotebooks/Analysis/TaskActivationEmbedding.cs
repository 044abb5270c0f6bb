using Microsoft.Data.Analysis;

namespace MtlNotebooks.Analysis;

/// <summary>The t-SNE of one depth's SE activations (<see cref="TaskActivations"/>): a row per (task, image) point.</summary>
public sealed record TaskActivationEmbedding(DataFrame Points, DataFrame Separation);
