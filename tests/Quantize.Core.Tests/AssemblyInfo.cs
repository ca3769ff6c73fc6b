// ONNX Runtime 1.31.1 intermittently segfaults (always at the same instruction in libonnxruntime.so, walking
// a hash-map bucket chain) when this assembly's test classes create and run many sessions on parallel
// threads; each test passes alone and in sequence. The engine, the CLI and the build worker create their
// sessions one at a time, so the tests do too. Revisit when ONNX Runtime is upgraded.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
