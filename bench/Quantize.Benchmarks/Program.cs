using BenchmarkDotNet.Running;
using Quantize.Benchmarks;

// `peak-memory` measures the CLI's process high-water mark; everything else goes to BenchmarkDotNet
// (e.g. `--filter *Throughput*`, `--filter *Latency*`).
switch (args.FirstOrDefault())
{
    case "peak-memory":
        PeakMemory.Report();
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkModels).Assembly).Run(args);
        break;
}
