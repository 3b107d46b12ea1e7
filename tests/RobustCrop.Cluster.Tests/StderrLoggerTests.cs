using RobustCrop.Cluster.Hosting;

namespace RobustCrop.Cluster.Tests;

public sealed class StderrLoggerTests
{
    [Theory]
    [InlineData("Association with remote system failed", "Association with remote system failed")]
    [InlineData("Disassociated\n   at Akka.Remote.EndpointWriter.PublishAndThrow(Exception reason)\n   at ...", "Disassociated …")]
    [InlineData("first\r\nsecond", "first …")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void A_log_event_is_one_line(string? text, string expected) => Assert.Equal(expected, StderrLogger.FirstLine(text));
}
