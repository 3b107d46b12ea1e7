using RobustCrop.Core.Models;
using RobustCrop.IO.Models;

namespace RobustCrop.Core.Tests.Models;

public sealed class ClassHeadTests
{
    [Fact]
    public void Prototype_head_predicts_the_nearest_class_mean_by_cosine()
    {
        var fit = new PrototypeHeadFitter(2);
        fit.Add("east", [1, 0]);
        fit.Add("east", [0.8f, 0.6f]);
        fit.Add("north", [0, 1]);
        var head = fit.Fit();
        Assert.Equal(["east", "north"], head.Classes);
        Span<float> logits = stackalloc float[2];
        head.Logits([0.6f, 0.8f], logits); // cos to east mean (0.949, 0.316): 0.822; to north: 0.8
        Assert.True(logits[0] > logits[1]);
        head.Logits([0.5f, 0.866f], logits);
        Assert.True(logits[1] > logits[0]);
    }

    [Fact]
    public void Head_files_round_trip()
    {
        var head = new ClassHead(HeadKind.Linear, ["a", "b"], 2, [1, 2, 3, 4], [0.5f, -0.5f], 1f);
        string path = Path.Combine(Path.GetTempPath(), $"head-{Guid.NewGuid():N}.json");
        try
        {
            head.Save(path, new HeadProvenance("m", "data", 2, "robustcrop fit-head"));
            var back = ClassHead.Load(path);
            Span<float> l = stackalloc float[2];
            back.Logits([1, 1], l);
            Assert.Equal([3.5f, 6.5f], l.ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Fitting_requires_every_listed_class()
        => Assert.Contains("Coat", Assert.Throws<ZooException>(() => { var f = new PrototypeHeadFitter(1); f.Add("Bag", [1]); f.Fit(["Bag", "Coat"]); }).Message);
}
