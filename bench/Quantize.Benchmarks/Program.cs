using BenchmarkDotNet.Running;
using Quantize.Benchmarks;

// `peak-memory` measures the process high-water mark in child processes; everything else goes to
// BenchmarkDotNet (e.g. `--filter *Throughput*`, `--filter *Latency*`).
switch (args.FirstOrDefault())
{
    case "peak-memory":
        PeakMemory.Report();
        break;
    case "peak-memory-child":
        PeakMemory.Child(args[1]);
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkModels).Assembly).Run(args);
        break;
}
