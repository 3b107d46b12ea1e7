using RobustCrop.Core.Models;

namespace RobustCrop.Core.Tests.Models;

public sealed class ClassLabelsTests
{
    [Fact]
    public void A_synset_mapping_gives_each_class_its_dataset_label_and_readable_name()
    {
        var labels = ClassLabels.Parse(["n01440764 tench, Tinca tinca", "", "n01443537 goldfish, Carassius auratus", "n01484850"]);
        Assert.Equal(3, labels.Count);
        Assert.Equal(1, labels.ClassOf("n01443537"));
        Assert.Null(labels.ClassOf("n99999999"));
        Assert.Equal("tench, Tinca tinca", labels.NameOf(0));
        Assert.Equal("n01484850", labels.NameOf(2));
    }

    [Fact]
    public void A_label_named_twice_or_an_empty_file_is_refused()
    {
        Assert.Equal("labels: 'n1' names classes 0 and 2", Assert.Throws<ZooException>(() => ClassLabels.Parse(["n1 a", "n2 b", "n1 c"])).Message);
        Assert.Throws<ZooException>(() => ClassLabels.Parse(["", "  "]));
    }

    [Fact]
    public void Logits_scored_through_labels_compare_classes_not_names_and_without_names_say_nothing()
    {
        var labels = ClassLabels.Parse(["n3 red", "n1 green", "n2 blue"]);
        var scored = new OutputInterpreter(OutputKind.Logits, 3, null, labels);
        Assert.True(scored.IsLabel(0, "n3"));
        Assert.False(scored.IsLabel(0, "n1"));
        Assert.False(scored.IsLabel(1, "n7")); // a label the model cannot name is wrong, never skipped
        Assert.Equal("green", scored.ClassName(1));
        // Logits without a labels file have no names: correctness does not apply.
        Assert.Null(new OutputInterpreter(OutputKind.Logits, 3, null).IsLabel(0, "n3"));
        Assert.Equal("labels: the file names 3 classes, the model has 4",
            Assert.Throws<ZooException>(() => new OutputInterpreter(OutputKind.Logits, 4, null, labels)).Message);
    }
}
