using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Tests.Inference;

public class DeviceSpecTests
{
    [Theory]
    [InlineData("cpu", DeviceKind.Cpu, 0, "cpu")]
    [InlineData(" CPU ", DeviceKind.Cpu, 0, "cpu")]
    [InlineData("cuda", DeviceKind.Cuda, 0, "cuda:0")]
    [InlineData("cuda:0", DeviceKind.Cuda, 0, "cuda:0")]
    [InlineData("cuda:3", DeviceKind.Cuda, 3, "cuda:3")]
    [InlineData("CUDA:12", DeviceKind.Cuda, 12, "cuda:12")]
    public void Parse_Valid(string text, DeviceKind kind, int id, string canonical)
    {
        DeviceSpec spec = DeviceSpec.Parse(text);
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(id, spec.DeviceId);
        Assert.Equal(canonical, spec.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:+1")]
    [InlineData("cuda:1x")]
    [InlineData("cuda:99999999999")]
    [InlineData("cpu:0")]
    public void Parse_Invalid_ThrowsOneLineArgumentException(string text)
    {
        var ex = Assert.Throws<ArgumentException>(() => DeviceSpec.Parse(text));
        Assert.StartsWith($"invalid device '{text}': expected cpu, cuda or cuda:N", ex.Message);
        Assert.False(DeviceSpec.TryParse(text, out _));
    }
}
