using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Tests.Imaging;

public sealed class RgbImageTests
{
    [Fact]
    public void Rejects_a_buffer_of_the_wrong_size()
        => Assert.Throws<ArgumentException>(() => new RgbImage(2, 2, new byte[11]));

    [Fact]
    public void Row_addresses_interleaved_pixels()
    {
        var img = new RgbImage(2, 2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        Assert.Equal([7, 8, 9, 10, 11, 12], img.ReadOnlyRow(1).ToArray());
    }
}
