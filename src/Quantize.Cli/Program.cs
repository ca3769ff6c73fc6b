using Quantize.Cli;

NativeLibraries.AddPackageFolderFallback();

return CliApplication.Run(args, CliConsole.System);
