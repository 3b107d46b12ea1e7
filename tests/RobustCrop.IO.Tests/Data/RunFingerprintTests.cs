using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Data;

namespace RobustCrop.IO.Tests.Data;

public sealed class RunFingerprintTests
{
    private static readonly RunPlan Plan = new("/d", "photos", 256, 0, ["m"], 0.99, 1, "none", false, 40_000_000, 1, 2);

    private static ModelManifest Model(string onnx) => new("m", onnx, null, 224, 256, Interpolation.Bilinear, ChannelOrder.Rgb, 1f / 255,
        [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f], null, OutputKind.Logits, null, null, 0);

    [Fact]
    public void A_resume_after_the_zoo_entry_the_model_file_or_the_data_changed_names_the_change()
    {
        using var dir = new TempDir();
        string onnx = dir.File("m.onnx", [1, 2, 3]);
        dir.File("photos/a.png", [1]);
        string b = dir.File("photos/b.png", [2, 2]);
        var data = new ImageFolderDataset(Path.Combine(dir.Path, "photos"));
        var stored = RunFingerprint.Add(Plan, [Model(onnx)], data);

        Assert.Empty(stored.Differences(RunFingerprint.Add(Plan, [Model(onnx)], new ImageFolderDataset(Path.Combine(dir.Path, "photos")))));
        // resize 256 → 240 under the same model id resumed silently before.
        Assert.Equal(["model m: its zoo entry changed"], stored.Differences(RunFingerprint.Add(Plan, [Model(onnx) with { ResizeSize = 240 }], data)).ToArray());
        File.WriteAllBytes(onnx, [1, 2, 4]);
        Assert.Equal(["model m: its model file changed"], stored.Differences(RunFingerprint.Add(Plan, [Model(onnx)], data)).ToArray());
        File.WriteAllBytes(onnx, [1, 2, 3]);

        File.SetLastWriteTimeUtc(b, File.GetLastWriteTimeUtc(b).AddMinutes(5));
        Assert.Equal(["--data 2 files of 3 bytes → 2 files of 3 bytes (names or modification times changed)"],
            stored.Differences(RunFingerprint.Add(Plan, [Model(onnx)], new ImageFolderDataset(Path.Combine(dir.Path, "photos")))).ToArray());
    }

    [Fact]
    public void A_tar_folder_lists_its_tars_and_a_composite_its_children()
    {
        using var dir = new TempDir();
        dir.File("tars/00000.tar", TarFiles.Of(("a.png", [1])));
        dir.File("tars/00001.tar", TarFiles.Of(("b.png", [2])));
        var tars = new WebDatasetTarDataset(Path.Combine(dir.Path, "tars"));
        Assert.Equal(["00000.tar", "00001.tar"], tars.ListFiles().Select(f => f.Name));
        var composite = new CompositeDataset([tars, new WebDatasetTarDataset(Path.Combine(dir.Path, "tars"), "again")]);
        Assert.Equal(["tars/00000.tar", "tars/00001.tar", "again/00000.tar", "again/00001.tar"], composite.ListFiles().Select(f => f.Name));
    }
}
