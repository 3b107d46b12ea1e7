using RobustCrop.Core.Data;
using RobustCrop.Core.Measurement;
using RobustCrop.Core.Planning;
using RobustCrop.Core.Results;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;

namespace RobustCrop.Worker.Pipeline;

/// <summary>How a deployed model picks the one crop it classifies.</summary>
/// <param name="Window">RICS window n (Rics mode).</param>
/// <param name="Representation">How the window's candidates become one output (DESIGN §5b); select classifies one crop.</param>
public sealed record PredictionMode(PredictionModeKind Kind, int Window = 9, RicsScore Score = RicsScore.Hash, RicsMode Representation = default)
{
    public string Name => Kind switch
    {
        PredictionModeKind.Rics when !Representation.IsSelect => "rics-" + Representation.Name,
        PredictionModeKind.Rics => "rics",
        PredictionModeKind.RicsCyclic => "rics-cyclic",
        _ => "standard",
    };

    /// <summary>The RICS setting the mode selects with (null: the standard centre crop); cyclic needs no window.</summary>
    public RicsSetting? Selection => Kind switch
    {
        PredictionModeKind.Rics => new RicsSetting(Score, Window, Representation),
        PredictionModeKind.RicsCyclic => new RicsSetting(RicsScore.Cyclic, 0),
        _ => null,
    };

    /// <summary>The mode as a run's stored plan records it, so a resume with another mode is refused: "predict rics hash n=9 seed=…".</summary>
    public string PlanText(ulong seed) => Kind switch
    {
        PredictionModeKind.Rics => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"predict {Name} {RicsScores.Name(Score)} n={Window} seed={seed:x}"),
        _ => $"predict {Name}",
    };

    /// <summary>The guarantee printed for the user (DESIGN §5).</summary>
    public string Guarantee => Kind switch
    {
        PredictionModeKind.Rics when !Representation.IsSelect => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"RICS {Representation.Name} n={Window}: {Representation.Guarantee(Window)}"),
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

/// <summary>What a deployed mode costs.</summary>
public static class PredictionModeCost
{
    /// <summary>Forwards per frame: 1 for the centre crop, select and cyclic RICS; n² for mean-all; about k for soft k.</summary>
    public static double ForwardsPerFrame(this PredictionMode mode) => mode.Selection?.ForwardsPerFrame ?? 1;
}

/// <summary>
/// Robust inference as a product: one prediction per input, from the crop the mode selects, one inference per input.
/// The same pipeline as evaluate; only the plan (<see cref="ImagePlanner.Deployment"/>) and the sink differ.
/// </summary>
public sealed class RobustPredictor(EvaluatedModel model, RunSettings settings, PredictionMode mode)
{
    private readonly ImagePipeline _pipeline = new([model], settings, ImagePlanner.Deployment(mode.Selection, settings.Rics.Seed));

    /// <summary>
    /// Blocks the calling thread for the whole shard (callers run it on a thread of their own): inputs are decoded ahead
    /// of inference as in evaluate. The rows land in <see cref="ShardResult.Predictions"/> under the model's id.
    /// </summary>
    /// <param name="onImage">Called after each input is finished (for progress), with crops inferred so far.</param>
    public ShardResult Predict(DatasetShard shard, IEnumerable<ImageRecord> records, Action<int, long>? onImage = null, CancellationToken ct = default)
    {
        var result = new ShardResult(shard.Id);
        var rows = new List<PredictionRow>();
        result.Predictions[model.Id] = rows;
        var totals = _pipeline.RunDecodingAhead(records, new PredictionSink(settings, result, rows, mode), onImage, ct);
        result.Inputs = totals.Inputs;
        result.CropsInferred = totals.CropsInferred;
        return result;
    }

    private sealed class PredictionSink(RunSettings settings, ShardResult result, List<PredictionRow> rows, PredictionMode mode) : IPipelineSink
    {
        public void Failed(PreparedImage image, ErrorStage stage, string reason)
            => result.Errors.Add(RowBuilder.ErrorRow(settings, result.Shard, image.Key, stage, reason));

        public void Completed(ImageModelWork work) => rows.Add(RowBuilder.PredictionRow(settings, result.Shard, work.Measured, mode.Name, mode.Selection));
    }
}
