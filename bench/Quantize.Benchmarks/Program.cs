using System.Globalization;
using BenchmarkDotNet.Running;
using Quantize.Benchmarks;

// `peak-memory` measures the CLI's process high-water mark; `noop-build [rounds] [keep] [decoder]` times no-op builds of
// consumer projects with and without quantized models (`keep` leaves them on disk for profiling; `decoder` adds a 2 GB decoder);
// `wrapper-interleaved [blocks] [calls]` runs the generated-wrapper comparison with the variants interleaved;
// `calibration [counts...]` measures streaming calibration; `quality-cost [rounds]` times MiniLM quantization with and
// without the quality check; `guard-cost [rounds] [mlsd|cli]` times static INT8 on MiniLM (or MLSD large; or MiniLM through CLI processes) with and without the collapse guard's comparison; `speed-verdicts [repeats] [budget-seconds]` repeats the speed check to see whether its
// verdict is stable; `graph-scaling [sizes...]` times FP16 on node chains of growing length; `cache-verify [rounds]` sets the cache
// entry verification against a whole cache-hit build of a MiniLM project; `remote-fleet [projects]` builds a fleet of
// consumers in parallel with and without the remote cache; `remote-hit [rounds]` sets a remote hit against a local hit
// and a plain HTTP GET of the same bytes; `decoder-speed [layers] [prompt] [context]` quantizes a ≥ 500 M-parameter decoder
// through the CLI and prints its prefill latency and decode tokens/s against FP32; `decoder-memory [speed-check]` measures peak memory
// and time against the read/write floor while quantizing a 6 GB decoder; everything else goes to BenchmarkDotNet
// (e.g. `--filter *Throughput*`, `--filter *Latency*`, `--filter *GeneratedWrapper*`).
switch (args.FirstOrDefault())
{
    case "peak-memory":
        PeakMemory.Report();
        break;
    case "calibration":
        // `calibration [counts...]`: peak memory of streaming calibration (default 50 and 500 samples), then
        // calibration time vs plain inference on 96 samples (`CALIBRATION_TIME_SAMPLES` overrides).
        CalibrationBenchmarks.Report(args.Length > 1 ? [.. args.Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [50, 500],
            int.Parse(Environment.GetEnvironmentVariable("CALIBRATION_TIME_SAMPLES") ?? "96", CultureInfo.InvariantCulture));
        break;
    case "calibration-child":
        CalibrationBenchmarks.Child([.. args.Skip(1)]);
        break;
    case "noop-build":
        NoOpBuild.Report(args.Length > 1 && int.TryParse(args[1], CultureInfo.InvariantCulture, out var rounds) ? rounds : 10, args.Contains("keep"), args.Contains("decoder"));
        break;
    case "wrapper-interleaved":
        InterleavedWrapperCheck.Report(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60,
            args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20);
        break;
    case "quality-cost":
        QualityCheckBenchmarks.Cost(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5);
        break;
    case "guard-cost":
        QualityCheckBenchmarks.GuardCost(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5, args.Contains("mlsd"), args.Contains("cli"));
        break;
    case "cache-verify":
        CacheVerifyCost.Report(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10);
        break;
    case "remote-fleet":
        RemoteCacheFleet.Fleet(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 6);
        break;
    case "remote-hit":
        RemoteCacheFleet.Hit(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7);
        break;
    case "graph-scaling":
        GraphScaling.Report(args.Length > 1 ? [.. args.Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [10_000, 50_000, 100_000]);
        break;
    case "speed-verdicts":
        QualityCheckBenchmarks.Verdicts(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10,
            TimeSpan.FromSeconds(args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : Quantize.Core.Evaluation.SpeedCheck.DefaultBudget.TotalSeconds));
        break;
    case "decoder-speed":
        // `decoder-speed [layers] [prompt] [context]`: the ≥ 500 M-parameter decoder (25 layers) through the CLI per precision.
        DecoderSpeed.Report(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 25,
            args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64,
            args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 256);
        break;
    case "decoder-memory":
        // `decoder-memory [speed-check] [int4] [int8] [fp16]`: peak memory and time against the read/write floor on a
        // 6 GB decoder, for the precisions named (all three when none is).
        DecoderMemory.Report(args.Contains("speed-check"), [.. args.Skip(1).Where(a => a != "speed-check")]);
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkModels).Assembly).Run(args);
        break;
}
