using System.Security.Cryptography;
using Google.Protobuf;
using Quantize.Testing;
using Quantize.Testing.Packaging;
using Quantize.Testing.TestModels;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// Real consumer builds against the packed package and a real HTTP cache server (nginx with WebDAV): each
/// consumer has its own empty local cache folder, standing for a fresh build machine.
/// </summary>
[Collection(PackedBuildTests.Name)]
public sealed class RemoteCacheBuildTests(PackageFixture fixture)
{
    [Fact]
    public void A_model_quantized_on_one_machine_is_a_verified_remote_hit_on_the_next_with_identical_bytes()
    {
        using var server = WebDavServer.Start();
        var a = Consumer("RemoteA", server);
        var first = a.Build();
        Assert.True(first.ExitCode == 0, first.Output);
        var made = Assert.Single(first.ModelLines);
        Assert.Contains("; quantized (cache entry", made, StringComparison.Ordinal);
        Assert.Contains("remote miss, uploaded (", made, StringComparison.Ordinal);

        // The action entry is a Remote Execution API ActionResult whose every file is in the CAS under its SHA-256,
        // and it was written only after all of them.
        var (key, files) = ReadActionEntry(server);
        Assert.Contains(files, f => f.Path == "entry.onnx");
        foreach (var (path, hash, size) in files)
        {
            var blob = File.ReadAllBytes(Path.Combine(server.CasDirectory, hash));
            Assert.Equal(size, blob.LongLength);
            Assert.Equal(hash, Convert.ToHexString(SHA256.HashData(blob)).ToLowerInvariant());
        }

        var puts = server.Requests().Where(r => r.Method == "PUT").ToList();
        Assert.Equal($"/cache/ac/{key}", puts[^1].Path);
        Assert.Equal(files.Count, puts.Count(r => r.Path.StartsWith("/cache/cas/", StringComparison.Ordinal)));

        var b = Consumer("RemoteB", server);
        var second = b.Build();
        Assert.True(second.ExitCode == 0, second.Output);
        var hit = Assert.Single(second.ModelLines);
        Assert.Contains("; remote hit", hit, StringComparison.Ordinal);
        Assert.DoesNotContain("quantized", hit, StringComparison.Ordinal);
        Assert.Contains("remote cache http://127.0.0.1", second.Output, StringComparison.Ordinal);
        Assert.Contains("1 hit(s), 0 miss(es), 0 uploaded", second.Output, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(a.Obj("quantize/RemoteA.Mlp.onnx")), File.ReadAllBytes(b.Obj("quantize/RemoteB.Mlp.onnx")));
        var run = b.Run();
        Assert.True(run.ExitCode == 0 && run.Output.Contains("outputs 10", StringComparison.Ordinal), run.Output);
    }

    [Fact]
    public void A_model_with_external_data_travels_through_the_remote_cache_with_its_data_file()
    {
        using var server = WebDavServer.Start();
        var item = """<QuantizedModel Include="models/mlp.onnx" Precision="Fp16" ClassName="Mlp" ExternalData="Always" Embed="false" QualityCheck="false" />""";
        var a = Consumer("RemoteDataA", server, item: item);
        var first = a.Build();
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("remote miss, uploaded (", Assert.Single(first.ModelLines), StringComparison.Ordinal);
        var (_, files) = ReadActionEntry(server);
        Assert.Contains(files, f => f.Path == "entry.onnx");
        Assert.Contains(files, f => f.Path != "entry.onnx" && f.Size > 64 * 128 * 2); // fc1.weight alone, in float16

        var b = Consumer("RemoteDataB", server, item: item);
        var second = b.Build();
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("; remote hit", Assert.Single(second.ModelLines), StringComparison.Ordinal);
        var modelA = a.Obj("quantize/RemoteDataA.Mlp.onnx");
        var modelB = b.Obj("quantize/RemoteDataB.Mlp.onnx");
        var dataA = Assert.Single(File.ReadAllLines(modelA + ".data.txt"));
        var dataB = Assert.Single(File.ReadAllLines(modelB + ".data.txt"));
        Assert.Equal(File.ReadAllBytes(modelA), File.ReadAllBytes(modelB));
        Assert.Equal(File.ReadAllBytes(dataA), File.ReadAllBytes(dataB));
        var run = b.Run();
        Assert.True(run.ExitCode == 0 && run.Output.Contains("outputs 10", StringComparison.Ordinal), run.Output);
    }

    [Fact]
    public void A_blob_corrupted_on_the_server_is_rejected_quantized_locally_and_repaired_for_the_next_machine()
    {
        using var server = WebDavServer.Start();
        var a = Consumer("CorruptA", server);
        Assert.True(a.Build().ExitCode == 0);
        var (_, files) = ReadActionEntry(server);
        var model = Path.Combine(server.CasDirectory, files.Single(f => f.Path == "entry.onnx").Hash);
        var bytes = File.ReadAllBytes(model);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(model, bytes);

        var b = Consumer("CorruptB", server);
        var second = b.Build();
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("warning QNT1010", second.Output, StringComparison.Ordinal);
        var line = Assert.Single(second.ModelLines);
        Assert.Contains("; quantized (cache entry", line, StringComparison.Ordinal);
        Assert.Contains("remote entry rejected, uploaded (", line, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(a.Obj("quantize/CorruptA.Mlp.onnx")), File.ReadAllBytes(b.Obj("quantize/CorruptB.Mlp.onnx")));

        var c = Consumer("CorruptC", server);
        var third = c.Build();
        Assert.True(third.ExitCode == 0, third.Output);
        Assert.DoesNotContain("QNT1010", third.Output, StringComparison.Ordinal);
        Assert.Contains("; remote hit", Assert.Single(third.ModelLines), StringComparison.Ordinal);
    }

    [Fact]
    public void With_the_server_down_a_build_warns_once_and_succeeds_on_the_local_path()
    {
        using var server = WebDavServer.Start();
        server.Stop();
        var project = Consumer("RemoteDown", server, secondModel: true);
        var build = project.Build();
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Single(Warnings(build.Output, "QNT1009"));
        Assert.All(build.ModelLines, l => Assert.Contains("; quantized (cache entry", l, StringComparison.Ordinal));
        Assert.Equal(2, build.ModelLines.Count);
        Assert.True(project.Run().ExitCode == 0);
    }

    [Fact]
    public void Read_only_builds_upload_nothing_but_use_what_read_write_builds_published()
    {
        using var server = WebDavServer.Start();
        var reader = Consumer("ReaderOne", server, mode: "ReadOnly");
        var first = reader.Build();
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("not uploaded (read-only remote cache)", Assert.Single(first.ModelLines), StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests(), r => r.Method == "PUT");

        Assert.True(Consumer("Writer", server).Build().ExitCode == 0);
        var second = Consumer("ReaderTwo", server, mode: "ReadOnly").Build();
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("; remote hit", Assert.Single(second.ModelLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Tokens_are_sent_a_read_token_gets_hits_but_cannot_upload_and_no_token_appears_in_any_file_or_log()
    {
        var writeToken = "qnt-write-" + Guid.NewGuid().ToString("N");
        var readToken = "qnt-read-" + Guid.NewGuid().ToString("N");
        using var server = WebDavServer.Start(writeToken, readToken);
        var writer = Consumer("TokenWriter", server);
        var upload = Build(writer, writeToken);
        Assert.True(upload.ExitCode == 0, upload.Output);
        Assert.Contains("uploaded (", Assert.Single(upload.ModelLines), StringComparison.Ordinal);

        var reader = Consumer("TokenReader", server);
        var hit = Build(reader, readToken);
        Assert.True(hit.ExitCode == 0, hit.Output);
        Assert.Contains("; remote hit", Assert.Single(hit.ModelLines), StringComparison.Ordinal);

        // A read token on a read-write build: hits work, the upload is refused with one warning, the build succeeds.
        var pullRequest = Consumer("TokenPullRequest", server, secondModel: true);
        var refusedUpload = Build(pullRequest, readToken);
        Assert.True(refusedUpload.ExitCode == 0, refusedUpload.Output);
        Assert.Contains(refusedUpload.ModelLines, l => l.Contains("; remote hit", StringComparison.Ordinal));
        Assert.Contains(refusedUpload.ModelLines, l => l.Contains("not uploaded (uploads refused)", StringComparison.Ordinal));
        Assert.Contains("401", Assert.Single(Warnings(refusedUpload.Output, "QNT1009")), StringComparison.Ordinal);

        // Without a token the server refuses everything: one warning, the local path, success.
        var stranger = Consumer("TokenStranger", server);
        var refused = Build(stranger, token: null);
        Assert.True(refused.ExitCode == 0, refused.Output);
        Assert.Contains("401", Assert.Single(Warnings(refused.Output, "QNT1009")), StringComparison.Ordinal);

        foreach (var token in new[] { writeToken, readToken })
        {
            foreach (var output in new[] { upload.Output, hit.Output, refusedUpload.Output, refused.Output })
            {
                Assert.DoesNotContain(token, output, StringComparison.Ordinal);
            }

            foreach (var folder in new[] { writer.Directory, reader.Directory, pullRequest.Directory, stranger.Directory })
            {
                foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
                {
                    Assert.False(File.ReadAllText(file).Contains(token, StringComparison.Ordinal), $"{file} holds a token");
                }
            }
        }
    }

    private ConsumerProject Consumer(string name, WebDavServer server, string mode = "", bool secondModel = false, string? item = null)
    {
        var project = new ConsumerProject(fixture, name);
        // Its own local cache folder inside the project: a fresh machine.
        project.Properties = $"""
            <QuantizeCacheDirectory>$(MSBuildProjectDirectory)/local-cache</QuantizeCacheDirectory>
            <QuantizeRemoteCache>{server.Url}</QuantizeRemoteCache>
            <QuantizeRemoteCacheMode>{mode}</QuantizeRemoteCacheMode>
            """;
        project.AddModel("mlp.onnx", TestModelCatalog.Mlp());
        project.Items = item ?? """<QuantizedModel Include="models/mlp.onnx" Precision="Int8" ClassName="Mlp" />""";
        if (secondModel)
        {
            project.AddModel("attention.onnx", TestModelCatalog.AttentionBlock());
            project.Items += """<QuantizedModel Include="models/attention.onnx" Precision="Int8" ClassName="Attention" />""";
        }

        project.WriteProject();
        project.WriteProgram($$"""
            using var model = new {{name}}.Mlp();
            using var result = model.Run(new float[64], batch: 1);
            Console.WriteLine("outputs " + result.Y.Length);
            """);
        return project;
    }

    private static CommandResult Build(ConsumerProject project, string? token)
    {
        var start = DotnetProcess.StartInfo(project.Directory, "build", "-v:n", "--disable-build-servers", "-nodeReuse:false");
        start.Environment.Remove("QUANTIZE_REMOTE_CACHE_TOKEN");
        if (token is not null)
        {
            start.Environment["QUANTIZE_REMOTE_CACHE_TOKEN"] = token;
        }

        return DotnetProcess.Run(start);
    }

    /// <summary>The distinct warnings with <paramref name="code"/> (MSBuild prints each twice: as it happens and in the summary).</summary>
    private static List<string> Warnings(string output, string code) =>
        [.. output.Split('\n').Where(l => l.Contains("warning " + code, StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("warning " + code, StringComparison.Ordinal))..].Trim())
            .Select(l => l.EndsWith(']') ? l[..l.LastIndexOf(" [", StringComparison.Ordinal)] : l).Distinct()];

    /// <summary>
    /// The server's only action entry, decoded with the protobuf wire format by hand (field numbers from the Remote
    /// Execution API: ActionResult.output_files = 2; OutputFile.path = 1, digest = 2; Digest.hash = 1, size_bytes = 2),
    /// independently of the worker's generated classes.
    /// </summary>
    private static (string Key, List<(string Path, string Hash, long Size)> Files) ReadActionEntry(WebDavServer server)
    {
        // Besides the entry, ac/ holds the claim the producer stored first (an ActionResult without files).
        var entries = Directory.GetFiles(server.AcDirectory).Select(e => (Key: Path.GetFileName(e), Files: OutputFiles(File.ReadAllBytes(e)))).ToList();
        return Assert.Single(entries, e => e.Files.Count > 0);
    }

    private static List<(string Path, string Hash, long Size)> OutputFiles(byte[] actionResult)
    {
        var files = new List<(string, string, long)>();
        var input = new CodedInputStream(actionResult);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 2)
            {
                input.SkipLastField();
                continue;
            }

            var output = new CodedInputStream(input.ReadBytes().ToByteArray());
            string path = "", hash = "";
            long size = -1;
            while ((tag = output.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1:
                        path = output.ReadString();
                        break;
                    case 2:
                        var digest = new CodedInputStream(output.ReadBytes().ToByteArray());
                        while ((tag = digest.ReadTag()) != 0)
                        {
                            if (WireFormat.GetTagFieldNumber(tag) == 1)
                            {
                                hash = digest.ReadString();
                            }
                            else if (WireFormat.GetTagFieldNumber(tag) == 2)
                            {
                                size = digest.ReadInt64();
                            }
                            else
                            {
                                digest.SkipLastField();
                            }
                        }

                        break;
                    default:
                        output.SkipLastField();
                        break;
                }
            }

            files.Add((path, hash, size));
        }

        return files;
    }
}
