using RobustCrop.Core.Data;
using RobustCrop.IO.Data;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;
using RobustCrop.Core.Rics;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Pipeline;

/// <summary>How a deployed model picks the one crop it classifies.</summary>
/// <param name="Window">RICS window n (Rics mode).</param>
public sealed record PredictionMode(PredictionModeKind Kind, int Window = 9, RicsScore Score = RicsScore.Hash)
{
    public string Name => Kind switch
    {
        PredictionModeKind.Rics => "rics",
        PredictionModeKind.RicsCyclic => "rics-cyclic",
        _ => "standard",
    };

    /// <summary>The guarantee printed for the user (DESIGN §5).</summary>
    public string Guarantee => Kind switch
    {
        PredictionModeKind.Rics when Score == RicsScore.Hash =>
            string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"hash RICS n={Window}: a 1-px realistic shift along one axis keeps the classified crop with probability ≥ (n−1)/(n+1) = ") +
            string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{100 * RicsScores.AxisBound(Window):F1}% (N1 average {100 * RicsScores.N1Bound(Window):F1}%) when pixels shift exactly (integer shifts, no resampling)"),
        PredictionModeKind.Rics => $"{RicsScores.Name(Score)} RICS n={Window}: no proven bound for smooth scores; measure it with evaluate --rics {Window} --rics-score {RicsScores.Name(Score)}",
        PredictionModeKind.RicsCyclic => "cyclic RICS: every integer cyclic shift of an input gives the identical canonical image, so the same prediction (100%)",
        _ => "standard centre crop: no shift guarantee (measure it with evaluate)",
    };
}

public enum PredictionModeKind { Standard, Rics, RicsCyclic }

/// <summary>Robust inference as a product: one prediction per input, from the crop the mode selects, one inference per input.</summary>
public sealed class RobustPredictor(EvaluatedModel model, EvaluationSettings settings, PredictionMode mode)
{
    private readonly ImagePreparer _preparer = new([model.Manifest.SceneFamily], settings);

    public (List<PredictionRow> Rows, List<ErrorRow> Errors) Predict(DatasetShard shard, IEnumerable<ImageRecord> records, Action<int>? onImage = null)
    {
        var rows = new List<PredictionRow>();
        var errors = new List<ErrorRow>();
        var batcher = new ModelBatcher(model, settings.MaxBatch);
        var completed = new List<ImageModelWork>();
        int done = 0;
        foreach (var record in records)
        {
            var image = _preparer.Prepare(record);
            if (image.IsError)
            {
                errors.Add(new ErrorRow(settings.RunId, shard.Id.Value, image.Key, image.ErrorStage!, image.Error!));
                onImage?.Invoke(++done);
                continue;
            }
            var scene = image.Scenes[model.Manifest.SceneFamily];
            var g = new SceneGeometry(scene.Width, scene.Height, model.Manifest.ResizeSize, model.Manifest.InputSize);
            PlannedCrop crop;
            switch (mode.Kind)
            {
                case PredictionModeKind.Rics:
                    var choice = new RicsSelector(scene, g.Base, g.CropSize, mode.Window, 0, settings.RicsSeed).Select(mode.Window, mode.Score, Shift.Zero);
                    if (choice is not { } c)
                    {
                        errors.Add(new ErrorRow(settings.RunId, shard.Id.Value, image.Key, "plan",
                            $"scene {scene.Width}x{scene.Height} has no room for a {mode.Window}x{mode.Window} RICS window around the {g.CropSize}-px crop"));
                        onImage?.Invoke(++done);
                        continue;
                    }
                    crop = new PlannedCrop(c.Position, 0, 0);
                    break;
                case PredictionModeKind.RicsCyclic:
                    var (rx, ry) = CyclicCanonicalizer.Canonicalize(scene, g.Base, g.CropSize, 0, 0);
                    crop = new PlannedCrop(g.Base, rx, ry);
                    break;
                default:
                    crop = new PlannedCrop(g.Base, 0, 0);
                    break;
            }
            batcher.Add(new ImageModelWork(image, model, scene, CropPlan.Only(g, crop)), completed);
            Emit();
        }
        batcher.Flush(completed);
        Emit();
        return (rows, errors);

        void Emit()
        {
            foreach (var w in completed)
            {
                var c = w.Plan.Crops[0];
                var g = w.Plan.Geometry;
                var o = w.Outputs;
                int? pred = o.HasClasses ? o.Predictions![0] : null;
                string? label = pred is int p ? model.Interpreter.ClassName(p) : null;
                rows.Add(new PredictionRow(settings.RunId, shard.Id.Value, w.Image.Key, w.Image.Label, model.Id, mode.Name,
                    mode.Kind == PredictionModeKind.Rics ? mode.Window : 1,
                    mode.Kind == PredictionModeKind.Rics ? RicsScores.Name(mode.Score) : mode.Kind == PredictionModeKind.RicsCyclic ? "cyclic" : null,
                    c.Position.X, c.Position.Y, c.Position.X - g.BaseX, c.Position.Y - g.BaseY, c.RollX, c.RollY,
                    pred, label, o.HasClasses ? o.Confidences![0] : null,
                    w.Image.Label is not null && label is not null ? label == w.Image.Label : null));
                onImage?.Invoke(++done);
            }
            completed.Clear();
        }
    }
}
