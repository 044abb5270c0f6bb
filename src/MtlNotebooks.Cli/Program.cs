MtlNotebooks.Runtime.TorchRuntime.EnsureConfigured();   // before any libtorch work, whichever command runs
return MtlNotebooks.Cli.CliApp.Run(args);
