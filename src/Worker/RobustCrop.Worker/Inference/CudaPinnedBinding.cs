using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace RobustCrop.Worker.Inference;

/// <summary>
/// A CUDA session's batch buffers: one input and one output buffer of page-locked host memory from the CUDA execution
/// provider's pinned allocator, bound to the session with an <see cref="OrtIoBinding"/>. A run is then one
/// host-to-device copy of the batch (DMA from pinned memory, no staging copy through a pageable buffer), the graph, and one
/// device-to-host copy of the outputs, with no tensor created per run. The binding is renewed only when the batch size
/// changes (the last, partial batch of a shard).
/// </summary>
/// <remarks>Only constructed where the session really runs on CUDA; its failure to construct (an ONNX Runtime without the
/// pinned allocator) leaves the session on its managed buffers, which work everywhere.</remarks>
internal sealed unsafe class CudaPinnedBinding : IHostBuffers
{
    private readonly InferenceSession _session;
    private readonly OrtMemoryInfo _pinned;
    private readonly OrtAllocator _allocator;
    private readonly OrtValue _inputOwner;
    private readonly OrtValue _outputOwner;
    private readonly Dictionary<int, (OrtValue Input, OrtValue Output)> _views = [];
    private readonly OrtIoBinding _binding;
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly TensorElementType _inputType;
    private readonly TensorElementType _outputType;
    private readonly Func<int, long[]> _inputShape;
    private readonly Func<int, long[]> _outputShape;
    private int _boundBatch;

    /// <param name="inputValues">Elements of the whole input buffer (MaxBatch items); likewise <paramref name="outputValues"/>.</param>
    /// <param name="inputShape">The model's input shape for a batch size (asked once per size); likewise <paramref name="outputShape"/>.</param>
    public CudaPinnedBinding(InferenceSession session, int deviceId, string inputName, TensorElementType inputType, long inputValues,
        string outputName, TensorElementType outputType, long outputValues, Func<int, long[]> inputShape, Func<int, long[]> outputShape)
    {
        _session = session;
        _inputShape = inputShape;
        _outputShape = outputShape;
        _inputName = inputName;
        _outputName = outputName;
        _inputType = inputType;
        _outputType = outputType;
        _pinned = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA_PINNED, OrtAllocatorType.DeviceAllocator, deviceId, OrtMemType.CpuOutput);
        try
        {
            _allocator = new OrtAllocator(session, _pinned);
            // Flat tensors own the pinned memory; each batch size gets a view of its first items with the model's shape.
            _inputOwner = OrtValue.CreateAllocatedTensorValue(_allocator, inputType, [inputValues]);
            _outputOwner = OrtValue.CreateAllocatedTensorValue(_allocator, outputType, [outputValues]);
            _binding = session.CreateIoBinding();
        }
        catch
        {
            _inputOwner?.Dispose();
            _outputOwner?.Dispose();
            _allocator?.Dispose();
            _pinned.Dispose();
            throw;
        }
    }

    /// <summary>The whole input buffer (MaxBatch items), as bytes of the input's element type.</summary>
    public Span<byte> Input => _inputOwner.GetTensorMutableRawData();

    /// <summary>The whole output buffer, as bytes of the output's element type; valid after <see cref="Run"/>.</summary>
    public ReadOnlySpan<byte> Output => _outputOwner.GetTensorMutableRawData();

    /// <summary>Runs the first <paramref name="batch"/> items of the input buffer into the output buffer.</summary>
    public void Run(RunOptions options, int batch)
    {
        if (batch != _boundBatch)
        {
            if (!_views.TryGetValue(batch, out var view))
            {
                _views[batch] = view = (View(_inputOwner, _inputType, _inputShape(batch)), View(_outputOwner, _outputType, _outputShape(batch)));
            }
            _binding.ClearBoundInputs();
            _binding.ClearBoundOutputs();
            _binding.BindInput(_inputName, view.Input);
            _binding.BindOutput(_outputName, view.Output);
            _boundBatch = batch;
        }
        _session.RunWithBinding(options, _binding);
        // The output is bound to host memory, which ONNX Runtime fills before the run returns; synchronising makes that
        // explicit for providers that copy asynchronously.
        _binding.SynchronizeBoundOutputs();
    }

    public void Dispose()
    {
        _binding.Dispose();
        foreach (var (input, output) in _views.Values)
        {
            input.Dispose();
            output.Dispose();
        }
        _inputOwner.Dispose();
        _outputOwner.Dispose();
        _allocator.Dispose();
        _pinned.Dispose();
    }

    // The first items of a flat pinned tensor, as a tensor of `shape` over the same memory (no copy, no allocation).
    private OrtValue View(OrtValue owner, TensorElementType type, long[] shape)
    {
        Span<byte> all = owner.GetTensorMutableRawData();
        long bytes = shape.Aggregate(1L, (a, b) => a * b) * ElementSize(type);
        if (bytes > all.Length) throw new ArgumentOutOfRangeException(nameof(shape), "a batch larger than the pinned buffer");
        fixed (byte* start = all)
        {
            return OrtValue.CreateTensorValueWithData(_pinned, type, shape, (IntPtr)start, bytes);
        }
    }

    private static int ElementSize(TensorElementType type) => type switch
    {
        TensorElementType.UInt8 => 1,
        TensorElementType.Float16 => 2,
        _ => 4,
    };
}
