using RobustCrop.Core.Data;
using RobustCrop.Core.Results;

namespace RobustCrop.Worker.Pipeline;

/// <summary>Everything one shard produced, grouped the way it is written (one file per model and kind).</summary>
public sealed class ShardResult(ShardId shard)
{
    public ShardId Shard { get; } = shard;
    public Dictionary<string, List<ImageRow>> Images { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<CropRow>> Crops { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<RicsRow>> Rics { get; } = new(StringComparer.Ordinal);
    public List<ErrorRow> Errors { get; } = [];
    public int Inputs { get; set; }
    public long CropsInferred { get; set; }
}
