using System.Diagnostics;
using System.Globalization;
using static Quantize.Benchmarks.BenchmarkSteps;

namespace Quantize.Benchmarks;

/// <summary>
/// The same five MiniLM calls as <see cref="GeneratedWrapperBenchmarks"/>, measured in one process with the
/// variants interleaved: each block runs a few calls of every variant in rotating order, and each variant's
/// time is divided by the hand-written baseline's time in the same block. BenchmarkDotNet runs the variants
/// one after another in separate processes, so on a shared machine a load change between them shows up as a
/// difference several times larger than the 3 % in question; the per-block ratio cancels it.
/// </summary>
public static class InterleavedWrapperCheck
{
    /// <summary>Runs the check and prints a Markdown table.</summary>
    /// <param name="blocks">Number of blocks.</param>
    /// <param name="callsPerBlock">Calls of each variant per block.</param>
    public static void Report(int blocks, int callsPerBlock)
    {
        var benchmarks = new GeneratedWrapperBenchmarks { Threads = 1 };
        benchmarks.Setup();
        try
        {
            (string Name, Func<float> Call)[] variants =
            [
                ("hand-written: OrtIoBinding + RunWithBinding", benchmarks.HandWrittenIoBinding),
                ("hand-written: Run with pre-created OrtValues", benchmarks.HandWrittenRun),
                ("generated: Run (returns result)", benchmarks.GeneratedRun),
                ("generated: Run into caller buffers", benchmarks.GeneratedRunIntoBuffers),
                ("generated: Prepare once, PreparedRun.Run", benchmarks.GeneratedPrepared),
            ];

            var allocated = new double[variants.Length];
            for (int v = 0; v < variants.Length; v++)
            {
                // Warm-up (tiering) first, then the managed bytes this thread allocates per call.
                Repeat(variants[v].Call, 200);
                long before = GC.GetAllocatedBytesForCurrentThread();
                Repeat(variants[v].Call, 500);
                allocated[v] = (GC.GetAllocatedBytesForCurrentThread() - before) / 500.0;
            }

            var perCall = variants.Select(_ => new List<double>()).ToArray();
            var ratio = variants.Select(_ => new List<double>()).ToArray();
            var blockTimes = new double[variants.Length];
            for (int block = 0; block < blocks; block++)
            {
                for (int i = 0; i < variants.Length; i++)
                {
                    int v = (block + i) % variants.Length;
                    var watch = Stopwatch.StartNew();
                    Repeat(variants[v].Call, callsPerBlock);
                    blockTimes[v] = watch.Elapsed.TotalMilliseconds / callsPerBlock;
                }

                for (int v = 0; v < variants.Length; v++)
                {
                    perCall[v].Add(blockTimes[v]);
                    ratio[v].Add(blockTimes[v] / blockTimes[0]);
                }
            }

            Console.WriteLine($"MiniLM INT8, 20 tokens, 1 intra-op thread; {blocks} blocks × {callsPerBlock} calls per variant, interleaved; load average {LoadAverage()}");
            Console.WriteLine("| variant | median per call (ms) | median ratio to hand-written IoBinding (same block) | managed bytes per call |");
            Console.WriteLine("|---|---|---|---|");
            for (int v = 0; v < variants.Length; v++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {variants[v].Name} | {Median(perCall[v]):F3} | {Median(ratio[v]):F3} | {allocated[v]:F0} |"));
            }
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    private static void Repeat(Func<float> call, int times)
    {
        float sink = 0;
        for (int i = 0; i < times; i++)
        {
            sink += call();
        }

        GC.KeepAlive(sink);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
