namespace MtlNotebooks;
public static class Smoke { public static string Run() => TorchSharp.torch.ones(2, 3).sum().item<float>().ToString(); }
