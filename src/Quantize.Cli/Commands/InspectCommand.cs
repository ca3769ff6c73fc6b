using System.CommandLine;
using Quantize.Cli.Output;
using Quantize.Core.Inspection;

namespace Quantize.Cli.Commands;

/// <summary><c>dotnet quantize inspect IN [--json]</c>: what a model takes, returns, uses and stores.</summary>
internal static class InspectCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliConsole console)
    {
        var input = new Argument<string>("input") { Description = "The ONNX model to inspect." };
        var json = new Option<bool>("--json") { Description = "Write the facts as JSON (for scripts) instead of a table." };
        var command = new Command("inspect", "Show a model's inputs and outputs, opsets, operator histogram, parameter bytes by type and subgraphs.");
        command.Arguments.Add(input);
        command.Options.Add(json);
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetValue(input)!;
            return CommandGuard.Run(console, path, () =>
            {
                var inspection = ModelInspector.Inspect(path);
                if (parseResult.GetValue(json))
                {
                    InspectionJson.Write(console.Out, inspection);
                }
                else
                {
                    InspectionText.Write(console.Out, inspection);
                }

                return ExitCodes.Success;
            });
        });
        return command;
    }
}
