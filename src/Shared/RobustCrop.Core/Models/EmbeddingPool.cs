namespace RobustCrop.Core.Models;

/// <summary>How a <c>[B, tokens, D]</c> output becomes one D-vector: token 0 (the CLS token) or the mean of all tokens.</summary>
public enum EmbeddingPool { Cls, Mean }
