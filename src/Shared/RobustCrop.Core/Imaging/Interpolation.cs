namespace RobustCrop.Core.Imaging;

public enum Interpolation { Bilinear, Bicubic, Nearest }
