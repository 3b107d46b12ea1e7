using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Worker.Inference;

/// <summary>
/// One ONNX Runtime session for an image model taking [N,3,S,S] float input. The first output is
/// returned flattened to [N, OutputDim]. Input and output tensors are bound once per batch size over
/// pinned per-session buffers, so steady-state runs allocate no tensors. Runs are serialised because
/// those buffers are shared.
/// </summary>
public sealed class OnnxSession : IBatchInference
{
    public const int DefaultMaxBatch = 64;

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly float[] _inputBuffer;
    private readonly float[] _outputBuffer;
    private readonly OrtValue?[] _inputValues;
    private readonly OrtValue?[] _outputValues;
    private readonly long[] _outputTrailingDims;
    private readonly int? _fixedBatch;
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <param name="model">The ONNX file contents, already rewritten (see <see cref="OnnxSessionFactory"/>).</param>
    /// <param name="intraOpThreads">Threads for one operator; 0 lets ONNX Runtime choose.</param>
    /// <param name="expectedInputSize">The crop size the caller will feed; a model declaring another size is rejected.</param>
    /// <param name="modelName">Names the model in error messages, usually its path.</param>
    public OnnxSession(
        byte[] model,
        DeviceSpec device,
        int intraOpThreads,
        int maxBatch = DefaultMaxBatch,
        int? expectedInputSize = null,
        string modelName = "model")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(intraOpThreads);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        if (expectedInputSize is int e)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(e, 1, nameof(expectedInputSize));
        }
        ModelName = modelName;

        (_session, ActiveDevice, FallbackReason) = CreateSession(model, device, intraOpThreads, modelName);
        try
        {
            (InputName, InputSize, _fixedBatch) = ValidateInput(_session, expectedInputSize, modelName);
            (OutputName, _outputTrailingDims) = ValidateOutput(_session, modelName);
            MaxBatch = _fixedBatch ?? maxBatch;
            _inputNames = [InputName];
            _outputNames = [OutputName];
            _runOptions = new RunOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, LogId = "robustcrop" };
            _inputValues = new OrtValue?[MaxBatch];
            _outputValues = new OrtValue?[MaxBatch];

            int itemSize = checked(3 * InputSize * InputSize);
            _inputBuffer = GC.AllocateArray<float>(checked(MaxBatch * itemSize), pinned: true);
            OutputDim = _outputTrailingDims.Any(d => d < 0) ? ProbeOutputDim(itemSize) : checked((int)_outputTrailingDims.Aggregate(1L, (a, b) => a * b));
            if (OutputDim < 1)
            {
                throw new ModelLoadException($"model {modelName}: output '{OutputName}' has no elements per image");
            }
            _outputBuffer = GC.AllocateArray<float>(checked(MaxBatch * OutputDim), pinned: true);
        }
        catch
        {
            _session.Dispose();
            _runOptions?.Dispose();
            throw;
        }
    }

    public string ModelName { get; }

    public string InputName { get; }

    public string OutputName { get; }

    /// <summary>The input's height and width (square).</summary>
    public int InputSize { get; }

    /// <summary>Floats per image in the first output.</summary>
    public int OutputDim { get; }

    int IBatchInference.OutputDimension => OutputDim;

    /// <summary>"cpu" or "cuda:N": where the session actually runs.</summary>
    public string ActiveDevice { get; }

    /// <summary>Why CUDA was requested but the session runs on CPU; null when it runs where asked.</summary>
    public string? FallbackReason { get; }

    /// <summary>The largest batch bound to ONNX Runtime at once; <see cref="Run"/> splits larger batches.</summary>
    public int MaxBatch { get; }

    public int InputItemSize => 3 * InputSize * InputSize;

    /// <summary>
    /// Runs <paramref name="batch"/> images laid out [batch,3,S,S] and writes [batch, OutputDim] into
    /// <paramref name="output"/>. Throws <see cref="ModelOutputException"/> if any output is NaN or infinite.
    /// </summary>
    public void Run(ReadOnlySpan<float> input, int batch, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        int itemSize = InputItemSize;
        if (input.Length != (long)batch * itemSize)
        {
            throw new ArgumentException($"input has {input.Length} floats, expected {batch}x3x{InputSize}x{InputSize} = {(long)batch * itemSize}", nameof(input));
        }
        if (output.Length < (long)batch * OutputDim)
        {
            throw new ArgumentException($"output has room for {output.Length} floats, needs {(long)batch * OutputDim}", nameof(output));
        }
        if (_fixedBatch is int fixedBatch && batch % fixedBatch != 0)
        {
            throw new ArgumentException($"model {ModelName} has a fixed batch of {fixedBatch}; got {batch}", nameof(batch));
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (int start = 0; start < batch; start += MaxBatch)
            {
                int n = Math.Min(MaxBatch, batch - start);
                input.Slice(start * itemSize, n * itemSize).CopyTo(_inputBuffer);
                _session.Run(_runOptions, _inputNames, [InputValue(n)], _outputNames, [OutputValue(n)]);
                ReadOnlySpan<float> result = _outputBuffer.AsSpan(0, n * OutputDim);
                CheckFinite(result, start);
                result.CopyTo(output.Slice(start * OutputDim));
            }
        }
    }

    /// <summary>Allocating convenience for tests and one-off probes.</summary>
    public float[] Run(ReadOnlySpan<float> input, int batch)
    {
        var output = new float[(long)batch * OutputDim];
        Run(input, batch, output);
        return output;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            foreach (OrtValue? v in _inputValues)
            {
                v?.Dispose();
            }
            foreach (OrtValue? v in _outputValues)
            {
                v?.Dispose();
            }
            _runOptions.Dispose();
            _session.Dispose();
        }
    }

    private OrtValue InputValue(int n) =>
        _inputValues[n - 1] ??= OrtValue.CreateTensorValueFromMemory(
            OrtMemoryInfo.DefaultInstance,
            new Memory<float>(_inputBuffer, 0, n * InputItemSize),
            [n, 3, InputSize, InputSize]);

    private OrtValue OutputValue(int n) =>
        _outputValues[n - 1] ??= OrtValue.CreateTensorValueFromMemory(
            OrtMemoryInfo.DefaultInstance,
            new Memory<float>(_outputBuffer, 0, n * OutputDim),
            [n, .. _outputTrailingDims]);

    private void CheckFinite(ReadOnlySpan<float> result, int batchStart)
    {
        for (int i = 0; i < result.Length; i++)
        {
            float v = result[i];
            if (!float.IsFinite(v))
            {
                string what = float.IsNaN(v) ? "NaN" : v > 0 ? "+Infinity" : "-Infinity";
                throw new ModelOutputException(
                    $"model {ModelName} returned {what} for batch item {batchStart + i / OutputDim} (output '{OutputName}' element {i % OutputDim})");
            }
        }
    }

    // Output shapes with symbolic non-batch dims are only known after a run; one zero image tells us.
    private int ProbeOutputDim(int itemSize)
    {
        using OrtValue probe = OrtValue.CreateTensorValueFromMemory(
            OrtMemoryInfo.DefaultInstance,
            new Memory<float>(_inputBuffer, 0, (_fixedBatch ?? 1) * itemSize),
            [_fixedBatch ?? 1, 3, InputSize, InputSize]);
        using IDisposableReadOnlyCollection<OrtValue> results = _session.Run(_runOptions, _inputNames, [probe], _outputNames);
        long[] shape = results.First().GetTensorTypeAndShape().Shape;
        for (int i = 0; i < _outputTrailingDims.Length && i + 1 < shape.Length; i++)
        {
            _outputTrailingDims[i] = shape[i + 1];
        }
        return checked((int)(shape.Skip(1).Aggregate(1L, (a, b) => a * b)));
    }

    private static (InferenceSession Session, string ActiveDevice, string? FallbackReason) CreateSession(
        byte[] model, DeviceSpec device, int intraOpThreads, string modelName)
    {
        _ = QuietEnvironment.Value;
        string? fallback = null;
        if (device.Kind == DeviceKind.Cuda)
        {
            try
            {
                return (NewSession(model, intraOpThreads, device.DeviceId), device.ToString(), null);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
            {
                // A model that CUDA rejects for its own reasons fails again on CPU below and is reported as a model error.
                fallback = $"CUDA provider unavailable ({FirstLine(ex.Message)}); running on CPU";
            }
        }
        try
        {
            return (NewSession(model, intraOpThreads, cudaDevice: null), "cpu", fallback);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException($"model {modelName} is not a valid ONNX file: {FirstLine(ex.Message)}", ex);
        }
    }

    private static InferenceSession NewSession(byte[] model, int intraOpThreads, int? cudaDevice)
    {
        using var options = new SessionOptions
        {
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            LogId = "robustcrop",
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            EnableMemoryPattern = true,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
        };
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

    private static (string Name, int Size, int? FixedBatch) ValidateInput(InferenceSession session, int? expectedSize, string modelName)
    {
        if (session.InputMetadata.Count != 1)
        {
            throw new ModelLoadException($"model {modelName}: expected one image input, found {session.InputMetadata.Count} ({string.Join(", ", session.InputMetadata.Keys)})");
        }
        (string name, NodeMetadata meta) = session.InputMetadata.First();
        int[] d = meta.IsTensor ? meta.Dimensions : [];
        if (!meta.IsTensor || meta.ElementDataType != TensorElementType.Float)
        {
            throw new ModelLoadException($"model {modelName}: input '{name}' is not a float tensor");
        }
        if (d.Length != 4 || d[1] != 3)
        {
            throw new ModelLoadException($"model {modelName}: input '{name}' is [{DescribeDims(meta)}], expected [N,3,S,S]");
        }
        int size;
        if (d[2] > 0 && d[3] > 0)
        {
            if (d[2] != d[3])
            {
                throw new ModelLoadException($"model {modelName}: input is 3x{d[2]}x{d[3]}, only square inputs are supported");
            }
            size = d[2];
            if (expectedSize is int e && e != size)
            {
                throw new ModelLoadException($"model {modelName}: input is 3x{size}x{size}, manifest says {e}");
            }
        }
        else if (d[2] <= 0 && d[3] <= 0 && expectedSize is int e)
        {
            size = e;
        }
        else
        {
            throw new ModelLoadException($"model {modelName}: input '{name}' is [{DescribeDims(meta)}]; its size is not fixed, so the manifest must give it");
        }
        return (name, size, d[0] > 0 ? d[0] : null);
    }

    private static (string Name, long[] TrailingDims) ValidateOutput(InferenceSession session, string modelName)
    {
        (string name, NodeMetadata meta) = session.OutputMetadata.First();
        if (!meta.IsTensor || meta.ElementDataType != TensorElementType.Float)
        {
            throw new ModelLoadException($"model {modelName}: output '{name}' is not a float tensor");
        }
        if (meta.Dimensions.Length < 1)
        {
            throw new ModelLoadException($"model {modelName}: output '{name}' is a scalar, expected [N, ...]");
        }
        return (name, meta.Dimensions.Skip(1).Select(x => (long)x).ToArray());
    }

    private static string DescribeDims(NodeMetadata meta) =>
        string.Join(",", meta.Dimensions.Select((x, i) => x >= 0 ? x.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : meta.SymbolicDimensions.Length > i && !string.IsNullOrEmpty(meta.SymbolicDimensions[i]) ? meta.SymbolicDimensions[i] : "?"));

    internal static string FirstLine(string message)
    {
        string line = message.AsSpan().Trim().ToString();
        int nl = line.IndexOfAny(['\r', '\n']);
        if (nl >= 0)
        {
            line = line[..nl].TrimEnd();
        }
        return line.Length > 300 ? line[..300] + "…" : line;
    }
}
