// Test classes run one at a time: every ONNX Runtime session already spreads over all cores, so on the
// 2-core CI machine parallel classes only add contention (the suite measured faster this way).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
