using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RobustCrop.Core.Models;
using RobustCrop.Core.Text;
using RobustCrop.IO.Onnx;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Worker.Inference;

/// <summary>
/// One ONNX Runtime session for an image model that normalises its own input in its graph: callers hand it [N,S,S,3]
/// uint8 crops (R,G,B bytes, the scene's own layout) and get the chosen output as [N, OutputDim] floats. The one way a
/// model is fed; the CPU-normalised float feed survives only as the tests' oracle. The jobs are split: opening the
/// session (<see cref="SessionBuilder"/>), the host buffers it is bound to (pinned arrays on the CPU, page-locked memory
/// with I/O binding on CUDA: <see cref="CudaPinnedBinding"/>), and reading the output (<see cref="OutputReader"/>). Runs
/// are serialised because those buffers are shared.
/// </summary>
public sealed class OnnxSession : IBatchInference
{
    public const int DefaultMaxBatch = 64;

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly IHostBuffers _buffers;
    private readonly OutputReader _reader;
    private readonly int? _fixedBatch;
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>Opens a graph that already takes uint8 [N,S,S,3] crops (a stand-in built in memory); a model from the zoo
    /// is opened by <see cref="OnnxSessionFactory"/>, which prepends its normalisation first.</summary>
    /// <param name="intraOpThreads">Threads for one operator; 0 lets ONNX Runtime choose.</param>
    /// <param name="expectedInputSize">The crop size the caller will feed; a graph declaring another size is rejected.</param>
    /// <param name="modelName">Names the model in error messages.</param>
    public OnnxSession(byte[] byteGraph, DeviceSpec device, int intraOpThreads, int maxBatch = DefaultMaxBatch, int? expectedInputSize = null,
        string modelName = "model", string? outputName = null, EmbeddingPool pool = EmbeddingPool.Cls)
        : this(byteGraph, Signature(byteGraph, expectedInputSize, outputName, modelName), device, intraOpThreads, maxBatch, modelName, pool, null)
    {
    }

    /// <param name="model">A byte-input graph whose signature was checked once (<see cref="ModelSignature"/>).</param>
    /// <param name="externalDataFolder">Where initializers stored as external data live (the original model's folder).</param>
    internal OnnxSession(byte[] model, SessionSignature signature, DeviceSpec device, int intraOpThreads, int maxBatch, string modelName,
        EmbeddingPool pool, string? externalDataFolder)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ModelName = modelName;
        (InputName, InputSize, OutputName, _fixedBatch) = (signature.InputName, signature.InputSize, signature.OutputName, signature.FixedBatch);
        (_session, ActiveDevice, FallbackReason) = SessionBuilder.Open(model, device, intraOpThreads, modelName, externalDataFolder);
        _runOptions = SessionBuilder.QuietRun();
        try
        {
            MaxBatch = _fixedBatch ?? maxBatch;
            long[] trailing = [.. signature.OutputTrailingDims];
            if (trailing.Any(d => d < 0))
            {
                int n = _fixedBatch ?? 1;
                using var zeros = OrtValue.CreateTensorValueFromMemory(new byte[n * InputItemSize], InputShape(n));
                OutputReader.Probe(_session, zeros, InputName, OutputName, trailing, modelName);
            }
            _reader = new OutputReader(modelName, OutputName, trailing, signature.HalfOutput, pool);
            _buffers = (IHostBuffers?)(ActiveDevice.StartsWith("cuda", StringComparison.Ordinal) ? PinnedBinding(device, trailing, signature.HalfOutput) : null)
                ?? new PinnedCpuBuffers(_session, InputName, InputItemSize, OutputName, signature.HalfOutput, RawOutputDim, MaxBatch, InputShape, n => [n, .. trailing]);
        }
        catch
        {
            _runOptions.Dispose();
            _session.Dispose();
            throw;
        }
    }

    public string ModelName { get; }

    public string InputName { get; }

    public string OutputName { get; }

    /// <summary>The input's height and width (square).</summary>
    public int InputSize { get; }

    /// <summary>Floats per image returned: the output's elements, or D of a pooled [tokens, D] output.</summary>
    public int OutputDim => _reader.OutputDim;

    /// <summary>Elements per image the model itself writes (tokens x D for a token output).</summary>
    public int RawOutputDim => _reader.RawDim;

    int IBatchInference.OutputDimension => OutputDim;

    /// <summary>"cpu" or "cuda:N": where the session actually runs.</summary>
    public string ActiveDevice { get; }

    /// <summary>Why CUDA was requested but the session runs on CPU; null when it runs where asked.</summary>
    public string? FallbackReason { get; }

    /// <summary>The largest batch bound to ONNX Runtime at once; <see cref="Run(ReadOnlySpan{byte}, int, Span{float})"/> splits larger batches.</summary>
    public int MaxBatch { get; }

    /// <summary>Bytes per crop: 3·S·S.</summary>
    public int InputItemSize => 3 * InputSize * InputSize;

    /// <summary>Whether batches go through CUDA I/O binding over pinned host buffers (false on the CPU, and where the
    /// provider offered no pinned allocator).</summary>
    public bool UsesIoBinding => _buffers is CudaPinnedBinding;

    /// <summary>
    /// Runs <paramref name="batch"/> crops laid out [batch,S,S,3] as R,G,B bytes, writing [batch, OutputDim] into
    /// <paramref name="output"/>. Throws <see cref="ModelOutputException"/> if any output is NaN or infinite.
    /// </summary>
    public void Run(ReadOnlySpan<byte> input, int batch, Span<float> output)
    {
        CheckBatch(input.Length, batch, output.Length);
        int itemSize = InputItemSize;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (int start = 0; start < batch; start += MaxBatch)
            {
                int n = Math.Min(MaxBatch, batch - start);
                input.Slice(start * itemSize, n * itemSize).CopyTo(_buffers.Input);
                try
                {
                    _buffers.Run(_runOptions, n);
                }
                catch (OnnxRuntimeException e)
                {
                    // ONNX Runtime's message is several lines of native detail: the user gets the model's name and its first line.
                    throw new ModelOutputException($"model {ModelName}: inference failed: {TerminalText.Clean(e.Message.Split('\n')[0])}", e);
                }
                _reader.Read(_buffers.Output, n, start, output);
            }
        }
    }

    /// <summary>Allocating convenience for tests and one-off probes.</summary>
    public float[] Run(ReadOnlySpan<byte> input, int batch)
    {
        var output = new float[(long)batch * OutputDim];
        Run(input, batch, output);
        return output;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _buffers.Dispose();
            _runOptions.Dispose();
            _session.Dispose();
        }
    }

    private void CheckBatch(int inputLength, int batch, int outputLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (inputLength != (long)batch * InputItemSize)
        {
            throw new ArgumentException($"input has {inputLength} bytes, expected {batch}x{InputSize}x{InputSize}x3 = {(long)batch * InputItemSize}", "input");
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

    private long[] InputShape(int n) => [n, InputSize, InputSize, 3];

    // A session on CUDA gets pinned host buffers bound once; if the provider cannot give them, it keeps managed ones.
    private CudaPinnedBinding? PinnedBinding(DeviceSpec device, long[] trailing, bool halfOutput)
    {
        try
        {
            return new CudaPinnedBinding(_session, device.DeviceId, InputName, TensorElementType.UInt8, (long)MaxBatch * InputItemSize,
                OutputName, halfOutput ? TensorElementType.Float16 : TensorElementType.Float, (long)MaxBatch * RawOutputDim, InputShape, n => [n, .. trailing]);
        }
        catch (OnnxRuntimeException)
        {
            return null;
        }
    }

    private static SessionSignature Signature(byte[] byteGraph, int? expectedInputSize, string? outputName, string modelName)
    {
        ArgumentNullException.ThrowIfNull(byteGraph);
        if (expectedInputSize is int e) ArgumentOutOfRangeException.ThrowIfLessThan(e, 1, nameof(expectedInputSize));
        try
        {
            return ModelSignature.CheckByteGraph(OnnxModelSurgery.Inspect(byteGraph), expectedInputSize, outputName, modelName);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelLoadException($"model {modelName} is not a valid ONNX file: {SessionBuilder.FirstLine(ex.Message)}", ex);
        }
    }
}
