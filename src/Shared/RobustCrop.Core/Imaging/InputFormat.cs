namespace RobustCrop.Core.Imaging;

/// <summary>How the model's image input is laid out: channels first ([N,3,S,S], torchvision) or last ([N,S,S,3], TF/Keras).</summary>
public enum TensorLayout { Nchw, Nhwc }

/// <summary>The element type of the model's image input (and, for float16 exports, of its outputs). UInt8: the model takes
/// the crop bytes as they are (R,G,B 0..255, [N,S,S,3]) and normalises inside itself, so none is prepended.</summary>
public enum InputElementType { Float32, Float16, UInt8 }
