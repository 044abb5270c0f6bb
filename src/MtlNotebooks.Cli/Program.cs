return MtlNotebooks.Cli.CliApp.Run(args);
