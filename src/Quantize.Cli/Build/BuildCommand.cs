using System.CommandLine;
using Quantize.Core.Diagnostics;

namespace Quantize.Cli.Build;

/// <summary>
/// <c>dotnet quantize build --request FILE [--design-time]</c>: the MSBuild worker. The Quantize.Build task starts
/// it once per project build (as <c>dotnet Quantize.Cli.dll @quantize.rsp</c>) with every stale model of the
/// project in one JSON request. Each model succeeds or fails on its own: failures are canonical
/// <c>path(1,1): error QNTxxxx: message</c> lines on the item's model file, the other models still run, and
/// the exit code is non-zero when any failed.
/// </summary>
internal sealed class BuildCommand
{
    private readonly CliConsole _console;

    private readonly Option<string> _request = new("--request")
    {
        Description = "The JSON build request the Quantize.Build task wrote (docs/build-request.md).",
        Required = true,
    };

    private readonly Option<bool> _designTime = new("--design-time")
    {
        Description = "Write manifests only (IDE design-time builds); never quantize. Overrides the request's own flag.",
    };

    private readonly Option<int?> _parentPid = new("--parent-pid")
    {
        Description = "Stop when this process (the MSBuild node that started the worker) exits.",
    };

    private BuildCommand(CliConsole console) => _console = console;

    /// <summary>Creates the <c>build</c> command.</summary>
    public static Command Create(CliConsole console)
    {
        var command = new Command("build", "Bring the QuantizedModel items of one project build up to date (used by the Quantize.Build MSBuild task).");
        var build = new BuildCommand(console);
        command.Options.Add(build._request);
        command.Options.Add(build._designTime);
        command.Options.Add(build._parentPid);
        command.SetAction((parseResult, cancellation) =>
        {
            if (parseResult.GetValue(build._parentPid) is int parent)
            {
                ParentWatch.Start(parent, console);
            }

            return Task.FromResult(build.Run(parseResult.GetValue(build._request)!, parseResult.GetValue(build._designTime), cancellation));
        });
        return command;
    }

    private int Run(string requestPath, bool designTime, CancellationToken cancellation)
    {
        BuildRequest request;
        try
        {
            request = BuildRequest.Load(requestPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException)
        {
            _console.Error.WriteLine(Diagnostic.Format(requestPath, "error", ErrorCodes.InternalError, $"The build request could not be read: {ex.Message}"));
            return ExitCodes.InternalError;
        }

        if (designTime)
        {
            request = new BuildRequest { Version = request.Version, DesignTime = true, OnnxRuntimeVersion = request.OnnxRuntimeVersion, ProjectFile = request.ProjectFile, Models = request.Models };
        }

        Remote.RemoteCacheSettings? remoteSettings;
        try
        {
            remoteSettings = request.DesignTime ? null : Remote.RemoteCacheSettings.From(request.RemoteCache);
        }
        catch (ArgumentException ex)
        {
            _console.Error.WriteLine(Diagnostic.Format(request.ProjectFile ?? requestPath, "error", ErrorCodes.InvalidOption, ex.Message));
            return ExitCodes.UsageError;
        }

        using var remote = remoteSettings is null ? null : new Remote.RemoteCache(remoteSettings);
        var runner = new BuildModelRunner(request, remote, _console, cancellation);
        int exitCode = ExitCodes.Success;
        foreach (var model in request.Models)
        {
            cancellation.ThrowIfCancellationRequested();
            int modelExit = Commands.CommandGuard.Run(_console, model.Source, () =>
            {
                runner.Run(model);
                return ExitCodes.Success;
            });
            exitCode = Math.Max(exitCode, modelExit);
        }

        if (remote?.Summary() is { } summary)
        {
            _console.Out.WriteLine(summary);
        }

        return exitCode;
    }
}
