namespace Quantize.Shared;

/// <summary>
/// The field names of the build request (docs/build-request.md): the MSBuild task writes it, the worker reads it.
/// Round-trip tests in Quantize.Build.Tests hold the two sides to these names.
/// </summary>
internal static class RequestFields
{
    public const int CurrentVersion = 1;

    public const string Version = "version";
    public const string DesignTime = "designTime";
    public const string OnnxRuntimeVersion = "onnxRuntimeVersion";
    public const string ProjectFile = "projectFile";
    public const string RemoteCache = "remoteCache";
    public const string Models = "models";

    public const string ItemSpec = "itemSpec";
    public const string Source = "source";
    public const string ClassName = "className";
    public const string Namespace = "namespace";
    public const string ResourceName = "resourceName";
    public const string ModelFileName = "modelFileName";
    public const string OutputModel = "outputModel";
    public const string Manifest = "manifest";
    public const string DoneMarker = "doneMarker";
    public const string CacheDirectory = "cacheDirectory";
    public const string ProjectDirectory = "projectDirectory";
    public const string DependencyFile = "dependencyFile";
    public const string ReportHtml = "reportHtml";
    public const string ReportMarkdown = "reportMarkdown";
    public const string Embed = "embed";
    public const string Settings = "settings";

    public const string Url = "url";
    public const string Mode = "mode";
    public const string TokenVariable = "tokenVariable";
    public const string AuthScheme = "authScheme";
    public const string ClaimTimeout = "claimTimeout";
}

/// <summary>
/// The field names of a model manifest (docs/manifest.md): the worker writes it, the source generator reads it.
/// Round-trip tests in Quantize.Build.Tests hold the two sides to these names.
/// </summary>
internal static class ManifestFields
{
    public const int CurrentSchema = 1;

    public const string SchemaVersion = "schemaVersion";
    public const string ClassName = "className";
    public const string Namespace = "namespace";
    public const string Precision = "precision";
    public const string ResourceName = "resourceName";
    public const string ModelFileName = "modelFileName";
    public const string SourceFile = "sourceFile";
    public const string SourceSha256 = "sourceSha256";
    public const string OutputSha256 = "outputSha256";
    public const string BytesBefore = "bytesBefore";
    public const string BytesAfter = "bytesAfter";
    public const string UsesOrtExtensions = "usesOrtExtensions";
    public const string Inputs = "inputs";
    public const string Outputs = "outputs";
    public const string Name = "name";
    public const string ElementType = "elementType";
    public const string Shape = "shape";
}
