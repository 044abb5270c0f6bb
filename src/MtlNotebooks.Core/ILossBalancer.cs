using MtlNotebooks.Balancing;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>A loss balancer spec (survey §3): how per-task losses become one update of the network.</summary>
public interface ILossBalancer
{
    string Name { get; }

    /// <summary>True when each task's weight depends only on that task's loss and the balancer's own state, so the
    /// balancer applies equally when tasks take their optimiser steps one at a time (task-conditional networks: ASTMT).
    /// Its runtime must then accept losses of a subset of its tasks. Gradient methods need every task in one step: false.</summary>
    bool Separable => false;

    IEnumerable<string> Validate(BalancerContext context) => [];
    LossBalancer Create(BalancerContext context);
}
