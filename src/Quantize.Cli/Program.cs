using Quantize.Cli;

return CliApplication.Run(args, CliConsole.System);
