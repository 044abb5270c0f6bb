using static TorchSharp.torch;

namespace MtlNotebooks.Checks;

/// <summary>The part of <see cref="Contracts.Check(IBackbone, int)"/> for a spec that says it is staged
/// (<see cref="IStagedBackbone"/>): its module exposes a stem and stages (<see cref="IStagedBackboneModule"/>) with the
/// declared block counts, and running them gives each stage's declared channels and stride, as the encoder-focused
/// architectures will run them.</summary>
internal static class StagedBackboneContract
{
    public static void Check(string owner, IStagedBackbone staged, Backbone module, long height, long width, List<string> problems)
    {
        var declared = ContractRun.Guard(problems, owner, "StageLevels", () => staged.StageLevels);
        var blocks = ContractRun.Guard(problems, owner, "StageBlocks", () => staged.StageBlocks);
        if (declared is null || blocks is null) return;
        if (module is not IStagedBackboneModule stagedModule)
        {
            problems.Add($"{owner} implements IStagedBackbone, but its module {module.GetType().Name} does not implement IStagedBackboneModule " +
                         "(the stem and stages that cross-stitch, NDDR-CNN, MTAN and branched networks run).");
            return;
        }
        var stages = ContractRun.Guard(problems, owner, "Stages", () => stagedModule.Stages);
        if (stages is null) return;
        var counts = stages.Blocks.Select(b => b.Count).ToArray();
        if (!counts.SequenceEqual(blocks))
            problems.Add($"{owner}: StageBlocks declares [{string.Join(", ", blocks)}] blocks per stage, its module's stages have [{string.Join(", ", counts)}].");
        if (!stages.Levels.Levels.SequenceEqual(declared.Levels))
            problems.Add($"{owner}: StageLevels declares {declared}, its module's stages say {stages.Levels}.");
        if (problems.Count > 0) return;
        var flags = ContractRun.TrainingFlags(module);
        module.eval();
        try
        {
            using var noGrad = no_grad();
            var x = ContractRun.Guard(problems, owner, "the stem", () => stages.Stem(zeros(2, 3, height, width)));
            if (x is null) return;
            if (x.shape[1] != stages.StemChannels)
                problems.Add($"{owner}: the stem returns {x.shape[1]} channels, its StemChannels says {stages.StemChannels}.");
            for (int s = 0; s < declared.Count && problems.Count == 0; s++)
            {
                var input = x;
                x = ContractRun.Guard(problems, owner, $"stage {s + 1} ({declared[s].Name})", () => stages.Run(s, input, withStem: false));
                if (x is null) return;
                long stride = height / Math.Max(1, x.shape[2]);
                if (x.shape[1] != declared[s].Channels || stride != declared[s].Stride)
                    problems.Add($"{owner}: stage {s + 1} gives {x.shape[1]} channels at stride {stride}; StageLevels declares {declared[s]}.");
            }
        }
        finally
        {
            foreach (var (part, training) in flags) part.train(training);
        }
    }
}
