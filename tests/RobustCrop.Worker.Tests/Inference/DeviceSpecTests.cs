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
    public void Parse_valid(string text, DeviceKind kind, int id, string canonical)
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
    public void Parse_invalid_throws_one_line_argument_exception(string text)
    {
        var ex = Assert.Throws<ArgumentException>(() => DeviceSpec.Parse(text));
        Assert.StartsWith($"invalid device '{text}': expected cpu, cuda or cuda:N", ex.Message);
        Assert.False(DeviceSpec.TryParse(text, out _));
    }

    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData("cuda:1", "cuda:1")]
    [InlineData("cuda:0,cuda:1", "cuda:0|cuda:1")]
    [InlineData(" cuda:2 , CUDA:0 ", "cuda:2|cuda:0")]
    public void ParseList_keeps_the_devices_in_the_order_given(string text, string expected)
        => Assert.Equal(expected, string.Join('|', DeviceSpec.ParseList(text)));

    [Theory]
    [InlineData("tpu", "invalid device 'tpu': expected cpu, cuda or cuda:N")]
    [InlineData("cuda:0,tpu", "invalid device 'tpu' in 'cuda:0,tpu': expected cpu, cuda, cuda:N or a list such as cuda:0,cuda:1")]
    [InlineData("cuda:0,", "invalid device '' in 'cuda:0,': expected cpu, cuda, cuda:N or a list such as cuda:0,cuda:1")]
    [InlineData("cuda:0,cuda", "device cuda:0 is listed twice in 'cuda:0,cuda'")]
    [InlineData("cpu,cuda:0", "'cpu,cuda:0': cpu cannot be combined with other devices (a CPU worker takes every core)")]
    public void ParseList_refuses_with_one_line(string text, string error)
    {
        Assert.Null(DeviceSpec.TryParseList(text, out string? why));
        Assert.Equal(error, why);
        Assert.Equal(error, Assert.Throws<ArgumentException>(() => DeviceSpec.ParseList(text)).Message.Split(" (Parameter")[0]);
    }
}
