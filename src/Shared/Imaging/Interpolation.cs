namespace RobustCrop.Shared.Imaging;

public enum Interpolation { Bilinear, Bicubic, Nearest }
