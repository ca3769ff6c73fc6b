using Microsoft.ML.OnnxRuntime;

namespace Quantize.Runtime;

/// <summary>How <see cref="ModelSession.RunAsync"/> runs without parking a .NET thread.</summary>
internal static class AsyncRuns
{
    /// <summary>
    /// Runs with ONNX Runtime's <c>RunAsync</c>, which executes on the session's intra-op thread pool and
    /// completes through a native callback.
    /// </summary>
    /// <remarks>
    /// ONNX Runtime refuses <c>RunAsync</c> when the session's intra-op pool has fewer than two threads
    /// (<c>IntraOpNumThreads = 1</c>, or a one-core machine), because it would have no thread to run on
    /// but the caller's. Only then do we fall back to running synchronously on a .NET thread-pool thread,
    /// so the task still does not block the caller.
    /// </remarks>
    public static async Task Run(ModelSession model, string[] inputNames, OrtValue[] inputs, string[] outputNames, OrtValue[] outputs)
    {
        if (!model.NativeAsync)
        {
            await Task.Run(() => model.Run(inputNames, inputs, outputNames, outputs)).ConfigureAwait(false);
            return;
        }

        try
        {
            await model.Session.RunAsync(model.RunOptions, inputNames, inputs, outputNames, outputs).ConfigureAwait(false);
        }
        catch (OnnxRuntimeException e) when (IsThreadPoolRefusal(e))
        {
            // Our thread count guess was wrong (ONNX Runtime counts physical cores); run it the other way.
            await Task.Run(() => model.Run(inputNames, inputs, outputNames, outputs)).ConfigureAwait(false);
        }
    }

    private static bool IsThreadPoolRefusal(OnnxRuntimeException e) =>
        e.Message.Contains("thread pool", StringComparison.Ordinal) && e.Message.Contains("RunAsync", StringComparison.Ordinal);
}
