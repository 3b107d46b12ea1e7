using Microsoft.ML.OnnxRuntime;

namespace RobustCrop.Worker.Inference;

/// <summary>An ONNX Runtime session and where it really runs.</summary>
/// <param name="FallbackReason">Why CUDA was requested but the session runs on CPU; null when it runs where asked.</param>
public sealed record OpenedSession(InferenceSession Session, string ActiveDevice, string? FallbackReason);

/// <summary>
/// Opens ONNX Runtime sessions: the process's one quiet environment, the session options every run uses, the CUDA
/// provider with its fallback to CPU, and external data resolved beside the original model. Knows nothing of how the
/// session is fed or read (<see cref="OnnxSession"/>, <see cref="OutputReader"/>).
/// </summary>
public static class SessionBuilder
{
    /// <summary>Opens <paramref name="model"/> on <paramref name="device"/>, on the CPU when CUDA cannot be had.</summary>
    /// <param name="externalDataFolder">Where initializers stored as external data live (the original model's folder).</param>
    /// <exception cref="ModelLoadException">ONNX Runtime rejects the model (one line naming it).</exception>
    public static OpenedSession Open(byte[] model, DeviceSpec device, int intraOpThreads, string modelName, string? externalDataFolder)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(intraOpThreads);
        _ = QuietEnvironment.Value;
        string? fallback = null;
        if (device.Kind == DeviceKind.Cuda)
        {
            try
            {
                return new(NewSession(model, intraOpThreads, device.DeviceId, externalDataFolder), device.ToString(), null);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
            {
                // A model that CUDA rejects for its own reasons fails again on CPU below and is reported as a model error.
                fallback = $"CUDA provider unavailable ({FirstLine(ex.Message)}); running on CPU";
            }
        }
        try
        {
            return new(NewSession(model, intraOpThreads, cudaDevice: null, externalDataFolder), "cpu", fallback);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException($"model {modelName} is not a valid ONNX file: {FirstLine(ex.Message)}", ex);
        }
    }

    /// <summary>The run options of every batch: errors only, one log id.</summary>
    public static RunOptions QuietRun() => new() { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, LogId = "robustcrop" };

    /// <summary>The first line of an ONNX Runtime or parser message, at most 300 characters: what a one-line error quotes.</summary>
    internal static string FirstLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        string line = message.AsSpan().Trim().ToString();
        int nl = line.IndexOfAny(['\r', '\n']);
        if (nl >= 0)
        {
            line = line[..nl].TrimEnd();
        }
        return line.Length > 300 ? line[..300] + "…" : line;
    }

    private static InferenceSession NewSession(byte[] model, int intraOpThreads, int? cudaDevice, string? externalDataFolder)
    {
        using var options = new SessionOptions
        {
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
            LogId = "robustcrop",
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            EnableMemoryPattern = true,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
        };
        if (externalDataFolder is not null)
        {
            // A model read from memory has no folder of its own; external initializers' relative locations resolve here.
            options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", externalDataFolder);
        }
        if (cudaDevice is int id)
        {
            options.AppendExecutionProvider_CUDA(id);
        }
        return new InferenceSession(model, options);
    }

    // The process-wide ORT environment defaults to WARNING and logs a failed CUDA provider load as an
    // ERROR on stderr. Every failure that matters reaches us as an exception and becomes a one-line
    // message (FallbackReason, ModelLoadException), so the environment only needs to speak when fatal.
    // ORT has one environment per process; it is created here once, with its log level as a creation
    // option, instead of changing the level of a live environment from every session (a race between
    // sessions loading on two threads). Lazy makes the creation thread-safe and one-time.
    private static readonly Lazy<OrtEnv> QuietEnvironment = new(CreateQuietEnvironment, LazyThreadSafetyMode.ExecutionAndPublication);

    private static OrtEnv CreateQuietEnvironment()
    {
        var options = new EnvironmentCreationOptions { logId = "robustcrop", logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        try
        {
            return OrtEnv.CreateInstanceWithOptions(ref options);
        }
        catch (OnnxRuntimeException)
        {
            // Something in this process touched OrtEnv.Instance() first (a host, a test): the environment exists
            // with its default level, so set it, once, here.
            OrtEnv env = OrtEnv.Instance();
            env.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
            return env;
        }
    }
}
