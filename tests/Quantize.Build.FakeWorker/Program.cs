using System.Text.Json;
using System.Text.Json.Nodes;
using Quantize.Shared;

// The task runs `dotnet <worker> @<response file>`; the response file holds one token per line.
var tokens = args.SelectMany(a => a.StartsWith('@') ? File.ReadAllLines(a[1..]) : [a]).Select(t => t.Trim().Trim('"')).Where(t => t.Length > 0).ToList();
if (tokens.FirstOrDefault() != "build" || tokens.IndexOf("--request") is var at && (at < 0 || at + 1 >= tokens.Count))
{
    Console.Error.WriteLine("fake worker: expected 'build --request <file>'");
    return 2;
}

var requestPath = tokens[at + 1];
var request = JsonNode.Parse(File.ReadAllText(requestPath))!.AsObject();

// One line per run, in the order the runs happened: the tests read what each run was asked.
var log = Environment.GetEnvironmentVariable("QUANTIZE_FAKE_WORKER_LOG") ?? Path.Combine(Path.GetDirectoryName(requestPath)!, "fake-worker.log");
File.AppendAllText(log, JsonSerializer.Serialize(new { arguments = tokens, request }) + "\n");

bool designTime = tokens.Contains("--design-time");
var fail = Environment.GetEnvironmentVariable("QUANTIZE_FAKE_WORKER_FAIL");
int exit = 0;
foreach (var model in request[RequestFields.Models]!.AsArray().Select(m => m!.AsObject()))
{
    string Field(string name) => model[name]!.GetValue<string>();
    var source = Field(RequestFields.Source);
    if (fail is not null && Field(RequestFields.ItemSpec) == fail)
    {
        // The worker's canonical error line, which the task turns into an error on the model file.
        Console.WriteLine($"{source}(1,1): error QNT0011: fake worker refused {fail}");
        exit = 1;
        continue;
    }

    Directory.CreateDirectory(Path.GetDirectoryName(Field(RequestFields.Manifest))!);
    File.WriteAllText(Field(RequestFields.Manifest), "{}");
    if (!designTime)
    {
        File.Copy(source, Field(RequestFields.OutputModel), overwrite: true);
        File.WriteAllText(Field(RequestFields.DoneMarker), "");
        Console.WriteLine($"Quantize.Build: {Field(RequestFields.ClassName)} ({Field(RequestFields.ItemSpec)}): fake");
    }
}

return exit;
