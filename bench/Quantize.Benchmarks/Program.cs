using BenchmarkDotNet.Running;
using Quantize.Benchmarks;

// `peak-memory` measures the CLI's process high-water mark; everything else goes to BenchmarkDotNet
// (e.g. `--filter *Throughput*`, `--filter *Latency*`).
switch (args.FirstOrDefault())
{
    case "peak-memory":
        PeakMemory.Report();
        break;
    case "calibration":
        // `calibration [counts...]`: peak memory and time of streaming calibration (default 50 and 500 samples).
        CalibrationBenchmarks.Report(args.Length > 1 ? [.. args.Skip(1).Select(int.Parse)] : [50, 500]);
        break;
    case "calibration-child":
        CalibrationBenchmarks.Child(Enum.Parse<Quantize.Core.Calibration.CalibrationMethod>(args[1]), int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkModels).Assembly).Run(args);
        break;
}
