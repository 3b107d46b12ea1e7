using RobustCrop.Core.Models;
using RobustCrop.IO.Models;

namespace RobustCrop.IO.Tests.Models;

public sealed class ZooSelectionTests
{
    private static readonly IReadOnlyList<ModelManifest> Zoo = ZooFile.Parse("""
        models:
          - { id: a, onnx: a.onnx, input: { size: 32 } }
          - { id: b, onnx: b.onnx, input: { size: 32 } }
          - { id: c, onnx: c.onnx, input: { size: 32 } }
        """, "/zoo", "/app/models");

    [Fact]
    public void Select_keeps_zoo_order_and_takes_the_whole_zoo_when_no_id_is_named()
    {
        Assert.Equal(["a", "c"], ZooSelection.Select(Zoo, ["c", "a"], "zoo.yaml").Select(m => m.Id));
        Assert.Equal(["a", "b", "c"], ZooSelection.Select(Zoo, null, "zoo.yaml").Select(m => m.Id));
        Assert.Equal(["a", "b", "c"], ZooSelection.Select(Zoo, [], "zoo.yaml").Select(m => m.Id));
    }

    [Fact]
    public void One_is_the_named_entry_or_the_zoo_first()
    {
        Assert.Equal("b", ZooSelection.One(Zoo, "b", "zoo.yaml").Id);
        Assert.Equal("a", ZooSelection.One(Zoo, null, "zoo.yaml").Id);
    }

    [Fact]
    public void An_unknown_id_names_itself_the_zoo_file_and_the_ids_it_lists_the_same_way_for_one_or_many()
    {
        var many = Assert.Throws<ZooException>(() => ZooSelection.Select(Zoo, ["a", "x"], "zoo.yaml"));
        Assert.Equal("model 'x' is not in the zoo zoo.yaml (it lists: a, b, c)", many.Message);
        var one = Assert.Throws<ZooException>(() => ZooSelection.One(Zoo, "x", "zoo.yaml"));
        Assert.Equal(many.Message, one.Message);
    }
}
