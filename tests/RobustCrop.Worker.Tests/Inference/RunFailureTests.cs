using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Tests.Inference;

/// <summary>
/// A model that fails inside ONNX Runtime while running (issue 23 item 5): one clean line that names the model, and
/// no native log line (ONNX Runtime colours its own on a terminal).
/// </summary>
public sealed class RunFailureTests
{
    [Fact]
    public void A_failure_inside_onnx_runtime_names_the_model_in_one_line_without_control_characters()
    {
        using var session = OnnxSessionFactory.Create(TinyModels.FailsWhileRunning(4), new SessionSpec { Name = "models/broken.onnx", Threads = 1, MaxBatch = 4 });
        var output = new float[3];

        var ex = Assert.Throws<ModelOutputException>(() => session.Run(new float[48], 1, output));

        Assert.StartsWith("model models/broken.onnx: inference failed: ", ex.Message);
        Assert.DoesNotContain(ex.Message, c => char.IsControl(c));
        Assert.IsType<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(ex.InnerException);
    }
}
