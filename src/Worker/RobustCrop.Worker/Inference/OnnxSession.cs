using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Worker.Inference;

/// <summary>
/// One ONNX Runtime session for an image model. Callers hand it [N,3,S,S] float32 crops, which it feeds in the model's
/// layout and element type (NHWC, float16: see <see cref="ModelIo"/>), or, when the graph was given its normalisation
/// (<see cref="TakesBytes"/>), [N,S,S,3] uint8 crops as they are (<see cref="RunBytes"/>). It returns the chosen output as
/// [N, OutputDim] floats, a [tokens, D] output pooled to D. Input and output tensors are bound once per batch size over
/// pinned per-session buffers, so steady-state runs allocate nothing: on the CPU managed arrays that never move, on CUDA
/// page-locked host memory bound with I/O binding (<see cref="CudaPinnedBinding"/>: one copy in and one out per batch).
/// Runs are serialised because those buffers are shared.
/// </summary>
public sealed class OnnxSession : IBatchInference
{
    public const int DefaultMaxBatch = 64;

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly ModelIo _io;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly float[]? _inputFloat;
    private readonly Float16[]? _inputHalf;
    private readonly byte[]? _inputBytes;
    private readonly float[]? _outputFloat;
    private readonly Float16[]? _outputHalf;
    private readonly float[] _packScratch;
    private readonly float[] _rawScratch;
    private readonly OrtValue?[] _inputValues;
    private readonly OrtValue?[] _outputValues;
    private readonly long[] _outputTrailingDims;
    private readonly int? _fixedBatch;
    private readonly int _tokens;
    private readonly bool _halfInput;
    private readonly bool _halfOutput;
    private readonly CudaPinnedBinding? _cuda;
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <param name="model">The ONNX file contents, already rewritten (see <see cref="OnnxSessionFactory"/>).</param>
    /// <param name="intraOpThreads">Threads for one operator; 0 lets ONNX Runtime choose.</param>
    /// <param name="expectedInputSize">The crop size the caller will feed; a model declaring another size is rejected.</param>
    /// <param name="modelName">Names the model in error messages, usually its path.</param>
    /// <param name="io">Layout, element type and output choice; null = NCHW float32, first output.</param>
    /// <param name="externalDataFolder">Where initializers stored as external data live (the original model's folder).</param>
    /// <param name="byteInput">The graph normalises its own input (see <see cref="OnnxSessionFactory"/>): it takes uint8
    /// [N,S,S,3] crops through <see cref="RunBytes"/> instead of floats through <see cref="Run(ReadOnlySpan{float}, int, Span{float})"/>.</param>
    public OnnxSession(
        byte[] model,
        DeviceSpec device,
        int intraOpThreads,
        int maxBatch = DefaultMaxBatch,
        int? expectedInputSize = null,
        string modelName = "model",
        ModelIo? io = null,
        string? externalDataFolder = null,
        bool byteInput = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(intraOpThreads);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        if (expectedInputSize is int e)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(e, 1, nameof(expectedInputSize));
        }
        ModelName = modelName;
        _io = io ?? ModelIo.Default;
        TakesBytes = byteInput;

        (_session, ActiveDevice, FallbackReason) = CreateSession(model, device, intraOpThreads, modelName, externalDataFolder);
        try
        {
            (InputName, InputSize, _fixedBatch) = ValidateInput(_session, expectedInputSize, modelName, byteInput ? ByteIo : _io, byteInput);
            (OutputName, _outputTrailingDims, bool outputHalf) = ValidateOutput(_session, modelName, _io.OutputName);
            MaxBatch = _fixedBatch ?? maxBatch;
            _inputNames = [InputName];
            _outputNames = [OutputName];
            _runOptions = new RunOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, LogId = "robustcrop" };
            _inputValues = new OrtValue?[MaxBatch];
            _outputValues = new OrtValue?[MaxBatch];

            int itemSize = checked(3 * InputSize * InputSize);
            _halfInput = !byteInput && _io.Type == InputElementType.Float16;
            _halfOutput = outputHalf;
            _packScratch = _halfInput && _io.Layout == TensorLayout.Nhwc ? new float[itemSize] : [];
            if (_outputTrailingDims.Any(d => d < 0))
            {
                ProbeOutputDims();
            }
            RawOutputDim = checked((int)_outputTrailingDims.Aggregate(1L, (a, b) => a * b));
            if (RawOutputDim < 1)
            {
                throw new ModelLoadException($"model {modelName}: output '{OutputName}' has no elements per image");
            }
            (_tokens, OutputDim) = ModelSignature.Reading(_outputTrailingDims);
            _cuda = ActiveDevice.StartsWith("cuda", StringComparison.Ordinal) ? PinnedBinding(device, itemSize, byteInput) : null;
            if (_cuda is null)
            {
                if (byteInput) _inputBytes = GC.AllocateArray<byte>(checked(MaxBatch * itemSize), pinned: true);
                else if (_halfInput) _inputHalf = GC.AllocateArray<Float16>(checked(MaxBatch * itemSize), pinned: true);
                else _inputFloat = GC.AllocateArray<float>(checked(MaxBatch * itemSize), pinned: true);
                if (outputHalf) _outputHalf = GC.AllocateArray<Float16>(checked(MaxBatch * RawOutputDim), pinned: true);
                else _outputFloat = GC.AllocateArray<float>(checked(MaxBatch * RawOutputDim), pinned: true);
            }
            _rawScratch = outputHalf ? new float[RawOutputDim] : [];
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

    /// <summary>Floats per image returned: the output's elements, or D of a pooled [tokens, D] output.</summary>
    public int OutputDim { get; }

    /// <summary>Elements per image the model itself writes (tokens x D for a token output).</summary>
    public int RawOutputDim { get; }

    int IBatchInference.OutputDimension => OutputDim;

    /// <summary>"cpu" or "cuda:N": where the session actually runs.</summary>
    public string ActiveDevice { get; }

    /// <summary>Why CUDA was requested but the session runs on CPU; null when it runs where asked.</summary>
    public string? FallbackReason { get; }

    /// <summary>The largest batch bound to ONNX Runtime at once; <see cref="Run"/> splits larger batches.</summary>
    public int MaxBatch { get; }

    public int InputItemSize => 3 * InputSize * InputSize;

    /// <summary>Whether the graph normalises its own uint8 input, fed through <see cref="RunBytes"/>.</summary>
    public bool TakesBytes { get; }

    // What a byte-input graph declares: the scene's interleaved layout.
    private static readonly ModelIo ByteIo = new(TensorLayout.Nhwc);

    /// <summary>
    /// Runs <paramref name="batch"/> images laid out [batch,3,S,S] and writes [batch, OutputDim] into
    /// <paramref name="output"/>. Throws <see cref="ModelOutputException"/> if any output is NaN or infinite.
    /// </summary>
    public void Run(ReadOnlySpan<float> input, int batch, Span<float> output)
    {
        if (TakesBytes) throw new InvalidOperationException($"model {ModelName} normalises in its graph: feed uint8 crops through RunBytes");
        CheckBatch(input.Length, batch, output.Length, "floats");
        int itemSize = InputItemSize;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (int start = 0; start < batch; start += MaxBatch)
            {
                int n = Math.Min(MaxBatch, batch - start);
                ReadOnlySpan<float> crops = input.Slice(start * itemSize, n * itemSize);
                if (_halfInput)
                {
                    InputPacking.Pack(crops, n, InputSize, _io.Layout, MemoryMarshal.Cast<Float16, Half>(InputBuffer<Float16>(_inputHalf)[..(n * itemSize)]), _packScratch);
                }
                else
                {
                    InputPacking.Pack(crops, n, InputSize, _io.Layout, InputBuffer<float>(_inputFloat)[..(n * itemSize)]);
                }
                RunChunk(n, start, output);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="batch"/> crops laid out [batch,S,S,3] as R,G,B bytes (the scene's own layout) through a graph that
    /// normalises them itself, writing [batch, OutputDim] into <paramref name="output"/>.
    /// </summary>
    public void RunBytes(ReadOnlySpan<byte> input, int batch, Span<float> output)
    {
        if (!TakesBytes) throw new InvalidOperationException($"model {ModelName} takes float crops: feed them through Run");
        CheckBatch(input.Length, batch, output.Length, "bytes");
        int itemSize = InputItemSize;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (int start = 0; start < batch; start += MaxBatch)
            {
                int n = Math.Min(MaxBatch, batch - start);
                input.Slice(start * itemSize, n * itemSize).CopyTo(InputBuffer<byte>(_inputBytes));
                RunChunk(n, start, output);
            }
        }
    }

    private void CheckBatch(int inputLength, int batch, int outputLength, string unit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (inputLength != (long)batch * InputItemSize)
        {
            throw new ArgumentException($"input has {inputLength} {unit}, expected {batch}x3x{InputSize}x{InputSize} = {(long)batch * InputItemSize}", "input");
        }
        if (outputLength < (long)batch * OutputDim)
        {
            throw new ArgumentException($"output has room for {outputLength} floats, needs {(long)batch * OutputDim}", "output");
        }
        if (_fixedBatch is int fixedBatch && batch % fixedBatch != 0)
        {
            throw new ArgumentException($"model {ModelName} has a fixed batch of {fixedBatch}; got {batch}", nameof(batch));
        }
    }

    // Runs the n items already in the input buffer and writes them at output item `start` onwards.
    private void RunChunk(int n, int start, Span<float> output)
    {
        if (_cuda is not null)
        {
            _cuda.Run(_runOptions, n);
        }
        else
        {
            _session.Run(_runOptions, _inputNames, [InputValue(n)], _outputNames, [OutputValue(n)]);
        }
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> raw = RawOutput(i);
            CheckFinite(raw, start + i);
            Span<float> dest = output.Slice((start + i) * OutputDim, OutputDim);
            if (_tokens == 1)
            {
                raw.CopyTo(dest);
            }
            else
            {
                TokenPooling.Pool(raw, _tokens, OutputDim, _io.Pool, dest);
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
            _cuda?.Dispose();
            _runOptions.Dispose();
            _session.Dispose();
        }
    }

    /// <summary>Whether batches go through CUDA I/O binding over pinned host buffers (false on the CPU, and where the
    /// provider offered no pinned allocator).</summary>
    public bool UsesIoBinding => _cuda is not null;

    // The input buffer: the pinned CUDA one, or the managed array of the session's input type.
    private Span<T> InputBuffer<T>(T[]? managed) where T : unmanaged => _cuda is not null ? _cuda.Input<T>() : managed;

    // A session on CUDA gets pinned host buffers bound once; if the provider cannot give them, it keeps managed ones.
    private CudaPinnedBinding? PinnedBinding(DeviceSpec device, int itemSize, bool byteInput)
    {
        var inputType = byteInput ? TensorElementType.UInt8 : _halfInput ? TensorElementType.Float16 : TensorElementType.Float;
        var outputType = _halfOutput ? TensorElementType.Float16 : TensorElementType.Float;
        try
        {
            return new CudaPinnedBinding(_session, device.DeviceId, InputName, inputType, (long)MaxBatch * itemSize,
                OutputName, outputType, (long)MaxBatch * RawOutputDim, InputShape, n => [n, .. _outputTrailingDims]);
        }
        catch (OnnxRuntimeException)
        {
            return null;
        }
    }

    // Item i of the last run as floats: a view of the float buffer, or the float16 one widened into scratch.
    private ReadOnlySpan<float> RawOutput(int i)
    {
        if (!_halfOutput)
        {
            return (_cuda is not null ? _cuda.Output<float>() : _outputFloat).Slice(i * RawOutputDim, RawOutputDim);
        }
        ReadOnlySpan<Float16> half = (_cuda is not null ? _cuda.Output<Float16>() : _outputHalf).Slice(i * RawOutputDim, RawOutputDim);
        TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<Float16, Half>(half), _rawScratch);
        return _rawScratch;
    }

    private long[] InputShape(int n) => _io.Layout == TensorLayout.Nchw && !TakesBytes ? [n, 3, InputSize, InputSize] : [n, InputSize, InputSize, 3];

    private OrtValue InputValue(int n) => _inputValues[n - 1] ??= NewInputValue(n);

    private OrtValue NewInputValue(int n) =>
        _inputBytes is not null ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<byte>(_inputBytes, 0, n * InputItemSize), InputShape(n))
        : _inputHalf is not null ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<Float16>(_inputHalf, 0, n * InputItemSize), InputShape(n))
        : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(_inputFloat, 0, n * InputItemSize), InputShape(n));

    private OrtValue OutputValue(int n) => _outputValues[n - 1] ??= _outputHalf is not null
        ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<Float16>(_outputHalf, 0, n * RawOutputDim), [n, .. _outputTrailingDims])
        : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(_outputFloat, 0, n * RawOutputDim), [n, .. _outputTrailingDims]);

    private void CheckFinite(ReadOnlySpan<float> result, int item)
    {
        for (int i = 0; i < result.Length; i++)
        {
            float v = result[i];
            if (!float.IsFinite(v))
            {
                string what = float.IsNaN(v) ? "NaN" : v > 0 ? "+Infinity" : "-Infinity";
                throw new ModelOutputException(
                    $"model {ModelName} returned {what} for batch item {item} (output '{OutputName}' element {i})");
            }
        }
    }

    // Output shapes with symbolic non-batch dims are only known after a run; one zero image tells us.
    private void ProbeOutputDims()
    {
        int n = _fixedBatch ?? 1;
        // Zeros of the input's type in a buffer of its own (the batch buffers are sized once the output is known).
        int values = n * InputItemSize;
        using OrtValue probe = TakesBytes ? OrtValue.CreateTensorValueFromMemory(new byte[values], InputShape(n))
            : _halfInput ? OrtValue.CreateTensorValueFromMemory(new Float16[values], InputShape(n))
            : OrtValue.CreateTensorValueFromMemory(new float[values], InputShape(n));
        using IDisposableReadOnlyCollection<OrtValue> results = _session.Run(_runOptions, _inputNames, [probe], _outputNames);
        long[] shape = results.First().GetTensorTypeAndShape().Shape;
        if (shape.Length != _outputTrailingDims.Length + 1)
        {
            throw new ModelLoadException($"model {ModelName}: output '{OutputName}' declares rank {_outputTrailingDims.Length + 1}, returned [{string.Join(",", shape)}]");
        }
        for (int i = 0; i < _outputTrailingDims.Length; i++)
        {
            _outputTrailingDims[i] = shape[i + 1];
        }
    }

    private static (InferenceSession Session, string ActiveDevice, string? FallbackReason) CreateSession(
        byte[] model, DeviceSpec device, int intraOpThreads, string modelName, string? externalDataFolder)
    {
        _ = QuietEnvironment.Value;
        string? fallback = null;
        if (device.Kind == DeviceKind.Cuda)
        {
            try
            {
                return (NewSession(model, intraOpThreads, device.DeviceId, externalDataFolder), device.ToString(), null);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
            {
                // A model that CUDA rejects for its own reasons fails again on CPU below and is reported as a model error.
                fallback = $"CUDA provider unavailable ({FirstLine(ex.Message)}); running on CPU";
            }
        }
        try
        {
            return (NewSession(model, intraOpThreads, cudaDevice: null, externalDataFolder), "cpu", fallback);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException($"model {modelName} is not a valid ONNX file: {FirstLine(ex.Message)}", ex);
        }
    }

    private static InferenceSession NewSession(byte[] model, int intraOpThreads, int? cudaDevice, string? externalDataFolder)
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

    private static (string Name, int Size, int? FixedBatch) ValidateInput(InferenceSession session, int? expectedSize, string modelName, ModelIo io, bool byteInput)
    {
        if (session.InputMetadata.Count != 1)
        {
            throw new ModelLoadException($"model {modelName}: expected one image input, found {session.InputMetadata.Count} ({string.Join(", ", session.InputMetadata.Keys)})");
        }
        (string name, NodeMetadata meta) = session.InputMetadata.First();
        int[] d = meta.IsTensor ? meta.Dimensions : [];
        var wanted = byteInput ? TensorElementType.UInt8 : io.Type == InputElementType.Float16 ? TensorElementType.Float16 : TensorElementType.Float;
        if (!meta.IsTensor || meta.ElementDataType != wanted)
        {
            string type = wanted switch { TensorElementType.Float => "float32", TensorElementType.Float16 => "float16", _ => "uint8" };
            throw new ModelLoadException($"model {modelName}: input '{name}' is not a {type} tensor");
        }
        int channelAxis = io.ChannelAxis;
        if (d.Length != 4 || d[channelAxis] != 3)
        {
            string expected = io.Layout == TensorLayout.Nchw ? "[N,3,S,S]" : "[N,S,S,3]";
            throw new ModelLoadException($"model {modelName}: input '{name}' is [{DescribeDims(meta)}], expected {expected}");
        }
        var (h, w) = io.Layout == TensorLayout.Nchw ? (d[2], d[3]) : (d[1], d[2]);
        int size;
        if (h > 0 && w > 0)
        {
            if (h != w)
            {
                throw new ModelLoadException($"model {modelName}: input is 3x{h}x{w}, only square inputs are supported");
            }
            size = h;
            if (expectedSize is int e && e != size)
            {
                throw new ModelLoadException($"model {modelName}: input is 3x{size}x{size}, manifest says {e}");
            }
        }
        else if (expectedSize is int e && (h <= 0 || h == e) && (w <= 0 || w == e))
        {
            // Symbolic spatial sizes (exports with dynamic H, W): the manifest's size is what the model gets.
            size = e;
        }
        else
        {
            throw new ModelLoadException($"model {modelName}: input '{name}' is [{DescribeDims(meta)}]; its size is not fixed, so the manifest must give it");
        }
        return (name, size, d[0] > 0 ? d[0] : null);
    }

    private static (string Name, long[] TrailingDims, bool Half) ValidateOutput(InferenceSession session, string modelName, string? wanted)
    {
        string name = wanted ?? session.OutputMetadata.First().Key;
        if (!session.OutputMetadata.TryGetValue(name, out NodeMetadata? meta))
        {
            throw new ModelLoadException($"model {modelName}: output.name '{wanted}' is not one of the model's outputs ({string.Join(", ", session.OutputMetadata.Keys)})");
        }
        if (!meta.IsTensor || meta.ElementDataType is not (TensorElementType.Float or TensorElementType.Float16))
        {
            throw new ModelLoadException($"model {modelName}: output '{name}' is not a float tensor");
        }
        if (meta.Dimensions.Length < 1)
        {
            throw new ModelLoadException($"model {modelName}: output '{name}' is a scalar, expected [N, ...]");
        }
        return (name, meta.Dimensions.Skip(1).Select(x => (long)x).ToArray(), meta.ElementDataType == TensorElementType.Float16);
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
