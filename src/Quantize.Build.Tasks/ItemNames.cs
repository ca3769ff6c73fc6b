namespace Quantize.Build.Tasks;

/// <summary>Metadata names the tasks and the targets share. Item metadata are PascalCase like MSBuild's own.</summary>
internal static class ItemNames
{
    public const string Precision = "Precision";
    public const string ClassName = "ClassName";
    public const string Namespace = "Namespace";
    public const string Embed = "Embed";
    public const string LogicalName = "LogicalName";
    public const string FullSource = "FullSource";
    public const string OutputModel = "OutputModel";
    public const string Manifest = "Manifest";
    public const string StampFile = "StampFile";
    public const string DoneMarker = "DoneMarker";
    public const string ModelFileName = "ModelFileName";
    public const string CacheDirectory = "CacheDirectory";
    public const string Settings = "Settings";
    public const string ProjectDirectory = "ProjectDirectory";
    public const string DependencyFile = "DependencyFile";
    public const string ReportHtml = "ReportHtml";
    public const string ReportMarkdown = "ReportMarkdown";
}
