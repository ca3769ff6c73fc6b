using Google.Protobuf;
using Quantize.Core.Onnx;

namespace Quantize.Testing.Packaging;

/// <summary>A real consumer project in its own folder under the feed's root.</summary>
public sealed class ConsumerProject
{
    private readonly LocalPackageFeed _feed;

    public ConsumerProject(LocalPackageFeed feed, string name, string targetFrameworks = "net10.0")
    {
        ArgumentNullException.ThrowIfNull(feed);
        _feed = feed;
        Name = name;
        Directory = Path.Combine(feed.Root, name);
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "models"));
        TargetFrameworks = targetFrameworks;
    }

    public string Name { get; }

    public string Directory { get; }

    public string TargetFrameworks { get; }

    /// <summary>Extra XML inside the project's first PropertyGroup.</summary>
    public string Properties { get; set; } = "";

    /// <summary>
    /// The package references (XML); null means the Quantize.Build package of the feed. The build benchmark
    /// sets it to compare against a project that references ONNX Runtime alone.
    /// </summary>
    public string? PackageReferences { get; set; }

    /// <summary>The QuantizedModel items (XML).</summary>
    public string Items { get; set; } = "";

    /// <summary>Writes <paramref name="model"/> as <c>models/&lt;fileName&gt;</c>.</summary>
    public string AddModel(string fileName, ModelProto model)
    {
        var path = Path.Combine(Directory, "models", fileName);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    /// <summary>Copies the model file at <paramref name="source"/> to <c>models/&lt;fileName&gt;</c>.</summary>
    public string AddModelFile(string fileName, string source)
    {
        var path = Path.Combine(Directory, "models", fileName);
        File.Copy(source, path, overwrite: true);
        return path;
    }

    public void WriteProgram(string code) => File.WriteAllText(Path.Combine(Directory, "Program.cs"), code);

    public void WriteProject()
    {
        var tfm = TargetFrameworks.Contains(';', StringComparison.Ordinal) ? "TargetFrameworks" : "TargetFramework";
        var references = PackageReferences ?? $"""<PackageReference Include="Quantize.Build" Version="{_feed.Version}" />""";
        File.WriteAllText(Path.Combine(Directory, Name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <{tfm}>{TargetFrameworks}</{tfm}>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RollForward>Major</RollForward>
                {Properties}
              </PropertyGroup>
              <ItemGroup>
                {references}
              </ItemGroup>
              <ItemGroup>
                {Items}
              </ItemGroup>
            </Project>
            """);
    }

    public CommandResult Build(params string[] extra) =>
        DotnetProcess.Run(Directory, ["build", "-v:n", "--disable-build-servers", "-nodeReuse:false", .. extra]);

    public CommandResult Run(string framework = "net10.0") =>
        DotnetProcess.Run(Directory, Path.Combine(Directory, "bin", "Debug", framework, Name + ".dll"));

    public string Obj(string relative, string framework = "net10.0") => Path.Combine(Directory, "obj", "Debug", framework, relative);
}
