using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Metrics;
using RobustCrop.Core.Planning;

namespace RobustCrop.Worker.Pipeline;

/// <summary>One image × model in flight: its crop plan and the outputs filled in as batches return.</summary>
public sealed class ImageModelWork(PreparedImage image, EvaluatedModel model, RgbImage scene, CropPlan plan, RicsPlan? rics = null)
{
    public PreparedImage Image { get; } = image;
    public EvaluatedModel Model { get; } = model;
    public RgbImage Scene { get; } = scene;
    public CropPlan Plan { get; } = plan;
    public RicsPlan Rics { get; } = rics ?? RicsPlan.Empty;
    // A head answers only for the datasets it was fitted for (head.applies_to); other inputs get representation metrics.
    public CropOutputs Outputs { get; } = new(plan.Crops.Length, model.Interpreter.VectorDimension,
        model.Interpreter.HasClasses && model.Manifest.ClassesApplyTo(image.Key));
    public int Pending { get; set; } = plan.Crops.Length;
}
