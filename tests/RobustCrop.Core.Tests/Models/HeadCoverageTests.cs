using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;

namespace RobustCrop.Core.Tests.Models;

/// <summary>The one line per group of models that leaves some of the run's datasets without classes (issue 24).</summary>
public sealed class HeadCoverageTests
{
    private static ModelManifest Model(string id, OutputKind output, string? head, params string[] appliesTo)
        => new(id, $"{id}.onnx", null, 224, 256, Interpolation.Bilinear, ChannelOrder.Rgb, 1f, [0, 0, 0], [1, 1, 1], null, output, head, null, 0)
        {
            HeadAppliesTo = appliesTo,
        };

    private static readonly ModelManifest ResNet = Model("resnet18", OutputKind.Embedding, "heads/r.json", "fashion-mnist");

    [Fact]
    public void A_head_bound_to_other_datasets_is_one_line_naming_them_the_inputs_left_out_and_what_to_do()
    {
        var note = Assert.Single(HeadCoverage.Notes([ResNet], ["photos", "fashion-mnist"], "representation metrics only"));

        Assert.Equal(
            "model resnet18: its head applies to fashion-mnist; inputs of 'photos' get representation metrics only — fit a head on " +
            "labelled data (robustcrop fit-head --model resnet18 --data FOLDER --out head.json, then head: { path: head.json, " +
            "applies_to: [photos] } in a zoo file), or use a logits model (labels: maps its classes to your label names)", note);
    }

    [Fact]
    public void Models_that_leave_the_same_datasets_out_share_one_line()
    {
        var blur = Model("resnet18-blur", OutputKind.Embedding, "heads/b.json", "fashion-mnist");
        var note = Assert.Single(HeadCoverage.Notes([ResNet, blur], ["mydata"], "no prediction"));
        Assert.StartsWith("models resnet18, resnet18-blur: their heads apply to fashion-mnist; inputs of 'mydata' get no prediction — ", note);
        Assert.Contains("--model MODEL", note);
    }

    [Fact]
    public void Nothing_is_said_when_every_model_classifies_every_dataset()
    {
        var logits = Model("vit", OutputKind.Logits, null);
        var everywhere = Model("clip", OutputKind.Embedding, "heads/c.json"); // no applies_to: every input
        Assert.Empty(HeadCoverage.Notes([ResNet, logits, everywhere], ["fashion-mnist"], "no prediction"));
        Assert.Empty(HeadCoverage.Notes([logits, everywhere], ["photos", "mydata"], "no prediction"));
    }

    [Fact]
    public void An_embedding_without_a_head_says_it_has_no_classes_for_any_dataset()
    {
        var bare = Model("dino", OutputKind.Embedding, null);
        var notes = HeadCoverage.Notes([bare, ResNet], ["fashion-mnist", "photos"], "no prediction");
        Assert.Equal(2, notes.Count);
        Assert.StartsWith("model dino: it has no classes (an embedding without a head); inputs of 'fashion-mnist', 'photos' get no prediction", notes[0]);
        Assert.StartsWith("model resnet18: its head applies to fashion-mnist; inputs of 'photos' get no prediction", notes[1]);
    }
}
