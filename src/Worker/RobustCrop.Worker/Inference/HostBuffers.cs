using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace RobustCrop.Worker.Inference;

/// <summary>
/// A session's batch buffers on the host, bound to its input and output: the crops of a batch are written into
/// <see cref="Input"/>, <see cref="Run"/> runs the first items, and the model's raw output is read from
/// <see cref="Output"/>. Sized once for the session's largest batch, so steady-state runs allocate nothing.
/// </summary>
internal interface IHostBuffers : IDisposable
{
    /// <summary>The whole uint8 input buffer (MaxBatch crops, [N,S,S,3]).</summary>
    Span<byte> Input { get; }

    /// <summary>The whole output buffer as bytes, in the output's element type; valid after <see cref="Run"/>.</summary>
    ReadOnlySpan<byte> Output { get; }

    /// <summary>Runs the first <paramref name="batch"/> items of the input buffer into the output buffer.</summary>
    void Run(RunOptions options, int batch);
}

/// <summary>
/// The CPU session's buffers: managed arrays allocated on the pinned object heap (they never move), wrapped once per batch
/// size in tensors ONNX Runtime reads and writes in place.
/// </summary>
internal sealed class PinnedCpuBuffers : IHostBuffers
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly byte[] _input;
    private readonly float[]? _outputFloat;
    private readonly Float16[]? _outputHalf;
    private readonly int _itemSize;
    private readonly int _rawOutputDim;
    private readonly Func<int, long[]> _inputShape;
    private readonly Func<int, long[]> _outputShape;
    private readonly OrtValue?[] _inputValues;
    private readonly OrtValue?[] _outputValues;

    public PinnedCpuBuffers(InferenceSession session, string inputName, int itemSize, string outputName, bool halfOutput, int rawOutputDim,
        int maxBatch, Func<int, long[]> inputShape, Func<int, long[]> outputShape)
    {
        _session = session;
        _inputNames = [inputName];
        _outputNames = [outputName];
        _itemSize = itemSize;
        _rawOutputDim = rawOutputDim;
        _inputShape = inputShape;
        _outputShape = outputShape;
        _input = GC.AllocateArray<byte>(checked(maxBatch * itemSize), pinned: true);
        if (halfOutput) _outputHalf = GC.AllocateArray<Float16>(checked(maxBatch * rawOutputDim), pinned: true);
        else _outputFloat = GC.AllocateArray<float>(checked(maxBatch * rawOutputDim), pinned: true);
        _inputValues = new OrtValue?[maxBatch];
        _outputValues = new OrtValue?[maxBatch];
    }

    public Span<byte> Input => _input;

    public ReadOnlySpan<byte> Output => _outputHalf is not null ? MemoryMarshal.AsBytes(_outputHalf.AsSpan()) : MemoryMarshal.AsBytes(_outputFloat.AsSpan());

    public void Run(RunOptions options, int batch) =>
        _session.Run(options, _inputNames, [InputValue(batch)], _outputNames, [OutputValue(batch)]);

    public void Dispose()
    {
        foreach (OrtValue? v in _inputValues) v?.Dispose();
        foreach (OrtValue? v in _outputValues) v?.Dispose();
    }

    private OrtValue InputValue(int n) => _inputValues[n - 1] ??=
        OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<byte>(_input, 0, n * _itemSize), _inputShape(n));

    private OrtValue OutputValue(int n) => _outputValues[n - 1] ??= _outputHalf is not null
        ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<Float16>(_outputHalf, 0, n * _rawOutputDim), _outputShape(n))
        : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(_outputFloat, 0, n * _rawOutputDim), _outputShape(n));
}
