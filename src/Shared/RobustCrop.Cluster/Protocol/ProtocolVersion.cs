namespace RobustCrop.Cluster.Protocol;

/// <summary>
/// The version of <see cref="WorkProtocol"/> a node speaks. Bump it with any change of a message's meaning or shape; the
/// golden payloads of the serializer tests pin the shape, so a change that forgets the bump fails them.
/// </summary>
public static class ProtocolVersion
{
    /// <summary>2: registration carries the version, <c>worker-refused</c>, <c>coordinator-stopping</c>, completions verified against the store.
    /// 3: the job carries the extra τ thresholds (<c>ExtraTaus</c>); batch 0 means auto.</summary>
    public const int Current = 3;
}
