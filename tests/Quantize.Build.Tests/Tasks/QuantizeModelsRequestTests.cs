using System.Text.Json;
using Microsoft.Build.Utilities;
using Quantize.Build.Tasks;
using Xunit;

namespace Quantize.Build.Tests.Tasks;

/// <summary>The JSON request the QuantizeModels task writes for the worker (docs/build-request.md), read back with a real JSON parser.</summary>
public sealed class QuantizeModelsRequestTests
{
    [Fact]
    public void The_request_carries_every_field_escaped_and_the_remote_cache_settings_but_never_a_credential()
    {
        Environment.SetEnvironmentVariable("QUANTIZE_TEST_REQUEST_TOKEN", "do-not-write-me");
        try
        {
            var model = new TaskItem("models/odd \"name\".onnx");
            model.SetMetadata("FullSource", "/abs/models/odd \"name\"\\ü.onnx");
            model.SetMetadata("ClassName", "Odd");
            model.SetMetadata("Namespace", "App");
            model.SetMetadata("Embed", "false");
            model.SetMetadata("Precision", "Int8");
            model.SetMetadata("BlockSize", "32\n");
            var task = new QuantizeModels
            {
                BuildEngine = new RecordingBuildEngine("/abs/App.csproj"),
                Models = [model],
                EngineMetadataNames = ["Precision", "BlockSize", "precision"],
                OnnxRuntimeVersion = "1.31.1",
                RemoteCache = "https://cache.example/q",
                RemoteCacheMode = "ReadOnly",
                RemoteCacheTokenVariable = "QUANTIZE_TEST_REQUEST_TOKEN",
                RemoteCacheClaimTimeout = "60",
            };

            var json = task.RequestJson();
            using var request = JsonDocument.Parse(json);
            var root = request.RootElement;

            Assert.Equal(1, root.GetProperty("version").GetInt32());
            Assert.False(root.GetProperty("designTime").GetBoolean());
            Assert.Equal("/abs/App.csproj", root.GetProperty("projectFile").GetString());
            var remote = root.GetProperty("remoteCache");
            Assert.Equal("https://cache.example/q", remote.GetProperty("url").GetString());
            Assert.Equal("ReadOnly", remote.GetProperty("mode").GetString());
            Assert.Equal("QUANTIZE_TEST_REQUEST_TOKEN", remote.GetProperty("tokenVariable").GetString());
            Assert.Equal("60", remote.GetProperty("claimTimeout").GetString());
            Assert.DoesNotContain("do-not-write-me", json, StringComparison.Ordinal);

            var item = Assert.Single(root.GetProperty("models").EnumerateArray());
            Assert.Equal("models/odd \"name\".onnx", item.GetProperty("itemSpec").GetString());
            Assert.Equal("/abs/models/odd \"name\"\\ü.onnx", item.GetProperty("source").GetString());
            Assert.False(item.GetProperty("embed").GetBoolean());
            var settings = item.GetProperty("settings");
            Assert.Equal(["Precision", "BlockSize"], settings.EnumerateObject().Select(p => p.Name));
            Assert.Equal("32\n", settings.GetProperty("BlockSize").GetString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("QUANTIZE_TEST_REQUEST_TOKEN", null);
        }
    }
}
