using RobustCrop.Core.Data;

namespace RobustCrop.Core.Results;

/// <summary>
/// Everything one shard produced, grouped the way it is written (one file per model and kind). An evaluated shard fills
/// <see cref="Images"/>, <see cref="Crops"/> and <see cref="Rics"/> for each model; a predicted one fills
/// <see cref="Predictions"/>. Errors are per input, whatever the kind.
/// </summary>
public sealed class ShardResult(ShardId shard)
{
    public ShardId Shard { get; } = shard;
    public Dictionary<string, List<ImageRow>> Images { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<CropRow>> Crops { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<RicsRow>> Rics { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<PredictionRow>> Predictions { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<MotionRow>> Motion { get; } = new(StringComparer.Ordinal);
    public List<ErrorRow> Errors { get; } = [];
    public int Inputs { get; set; }
    public long CropsInferred { get; set; }
}
