using RobustCrop.Core.Models;
using RobustCrop.IO.Models;

namespace RobustCrop.IO.Tests.Models;

public sealed class NpyHeadTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private (string Npy, string Classes) Write(int rows, int cols, float[] data, params string[] names)
    {
        string npy = Path.Combine(_tmp.Path, "head.npy"), classes = Path.Combine(_tmp.Path, "classes.txt");
        NpyWriter.WriteFloat32(npy, rows, cols, data);
        File.WriteAllLines(classes, names);
        return (npy, classes);
    }

    [Fact]
    public void A_npy_matrix_and_class_names_make_a_zero_shot_head_with_normalised_rows()
    {
        var (npy, classes) = Write(2, 3, [3f, 0f, 4f, 0f, 2f, 0f], "cat", "dog");
        var head = HeadFiles.Load(npy, classes);
        Assert.Equal(HeadKind.ZeroShot, head.Kind);
        Assert.Equal(["cat", "dog"], head.Classes);
        Assert.Equal(3, head.Dimension);
        Assert.Equal([0.6f, 0f, 0.8f], head.ClassVector(0).ToArray());
        Assert.Equal([0f, 1f, 0f], head.ClassVector(1).ToArray());
        Assert.Equal(NpyHead.ClipLogitScale, head.LogitScale);
    }

    [Fact]
    public void Row_and_name_counts_must_agree_and_a_classes_file_is_required()
    {
        var (npy, classes) = Write(2, 3, new float[6], "only-one");
        Assert.Equal("head head.npy has 2 rows, classes.txt names 1 classes", Assert.Throws<ZooException>(() => HeadFiles.Load(npy, classes)).Message);
        Assert.Contains("needs head.classes", Assert.Throws<ZooException>(() => HeadFiles.Load(npy)).Message);
    }

    [Fact]
    public void A_file_that_is_not_npy_fails_with_one_line()
    {
        string bad = Path.Combine(_tmp.Path, "bad.npy");
        File.WriteAllText(bad, "not numpy");
        Assert.Equal("head bad.npy is not a .npy file", Assert.Throws<ZooException>(() => NpyHead.ReadMatrix(bad)).Message);
    }
}
