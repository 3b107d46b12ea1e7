using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Measurement;
using RobustCrop.Core.Metrics;
using RobustCrop.Core.Planning;

namespace RobustCrop.Worker.Pipeline;

/// <summary>One image × model in flight: its crop plan and the outputs filled in as batches return.</summary>
/// <param name="nativeScene">For a model measured with resize.margin: the scene at its native resize, whose centre crop
/// (one extra output after the plan's, at <see cref="NativeIndex"/>) gives the native-preprocessing answer.</param>
/// <param name="motion">The moved views' crops (after the native one) and what to compare (DESIGN §4b).</param>
public sealed class ImageModelWork(PreparedImage image, EvaluatedModel model, RgbImage scene, CropPlan plan, RicsPlan? rics = null,
    RgbImage? nativeScene = null, MotionPlan? motion = null)
{
    public PreparedImage Image { get; } = image;
    public EvaluatedModel Model { get; } = model;
    public RgbImage Scene { get; } = scene;
    public CropPlan Plan { get; } = plan;
    public RicsPlan Rics { get; } = rics ?? RicsPlan.Empty;
    public RgbImage? NativeScene { get; } = nativeScene;
    public MotionPlan Motion { get; } = motion ?? MotionPlan.Empty;

    /// <summary>Where the native centre crop's output is, after the plan's crops; -1 without a native scene.</summary>
    public int NativeIndex => NativeScene is null ? -1 : Plan.Crops.Length;

    // A head answers only for the datasets it was fitted for (head.applies_to); other inputs get representation metrics.
    public CropOutputs Outputs { get; } = new(plan.Crops.Length + (nativeScene is null ? 0 : 1) + (motion?.Crops.Count ?? 0),
        model.Interpreter.VectorDimension, model.Interpreter.HasClasses && model.Manifest.ClassesApplyTo(image.Key));
    public int Pending { get; set; } = plan.Crops.Length + (nativeScene is null ? 0 : 1) + (motion?.Crops.Count ?? 0);

    /// <summary>What the measurement (<see cref="RowBuilder"/>) reads of this work once every output is in.</summary>
    public MeasuredImage Measured => new(Image.Key, Image.Label, Image.SourceWidth, Image.SourceHeight, Scene.Width, Scene.Height,
        Image.Metadata, Model.Id, Model.Interpreter, Plan, Outputs, Rics, NativeIndex, Motion);
}
