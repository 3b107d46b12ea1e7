using RobustCrop.Core.Models;
using RobustCrop.IO.Models;

namespace RobustCrop.IO.Tests.Models;

public sealed class HeadFilesTests
{
    [Fact]
    public void Head_files_round_trip()
    {
        var head = new ClassHead(HeadKind.Linear, ["a", "b"], 2, [1, 2, 3, 4], [0.5f, -0.5f], 1f);
        string path = Path.Combine(Path.GetTempPath(), $"head-{Guid.NewGuid():N}.json");
        try
        {
            HeadFiles.Save(head, path, new HeadProvenance("m", "data", 2, "robustcrop fit-head"));
            var back = HeadFiles.Load(path);
            Span<float> l = stackalloc float[2];
            back.Logits([1, 1], l);
            Assert.Equal([3.5f, 6.5f], l.ToArray());
        }
        finally { File.Delete(path); }
    }
}
