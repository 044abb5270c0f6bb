namespace MtlNotebooks.Weights;

/// <summary>The state-dict file formats read and written; <see cref="StateDictFile.Detect"/> tells them apart by content.</summary>
public enum WeightFormat
{
    /// <summary>TorchSharp's own format (<c>module.save</c>, and TorchSharp's exportsd.py script for PyTorch).</summary>
    TorchSharp,

    /// <summary><c>torch.save</c>'s zip format (PyTorch ≥ 1.6): <c>.pth</c>, <c>.pt</c>, <c>.pth.tar</c>.</summary>
    TorchSave,

    /// <summary><c>torch.save</c>'s format before PyTorch 1.6 (read only; written as <see cref="TorchSave"/>).</summary>
    TorchSaveLegacy,

    /// <summary>Hugging Face's <c>.safetensors</c>: a JSON header and raw tensors, nothing executable.</summary>
    Safetensors,

    /// <summary>A training run's checkpoint (<c>.ckpt</c>, <see cref="Training.Checkpoint"/>): its network's state dict
    /// is read (read only; <c>mtl weights convert</c> exports it).</summary>
    RunCheckpoint,
}
