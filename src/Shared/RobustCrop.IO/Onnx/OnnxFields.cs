namespace RobustCrop.IO.Onnx;

/// <summary>Field numbers from onnx.proto; only the ones this code reads or writes.</summary>
internal static class OnnxFields
{
    public const int ModelIrVersion = 1;
    public const int ModelProducerName = 2;
    public const int ModelProducerVersion = 3;
    public const int ModelGraph = 7;
    public const int ModelOpsetImport = 8;

    public const int OpsetDomain = 1;
    public const int OpsetVersion = 2;

    public const int GraphNode = 1;
    public const int GraphName = 2;
    public const int GraphInitializer = 5;
    public const int GraphInput = 11;
    public const int GraphOutput = 12;
    public const int GraphValueInfo = 13;

    public const int NodeInput = 1;
    public const int NodeOutput = 2;
    public const int NodeName = 3;
    public const int NodeOpType = 4;
    public const int NodeAttribute = 5;

    public const int AttrName = 1;
    public const int AttrF = 2;
    public const int AttrI = 3;
    public const int AttrS = 4;
    public const int AttrFloats = 7;
    public const int AttrInts = 8;
    public const int AttrType = 20;

    public const int AttrTypeFloat = 1;
    public const int AttrTypeInt = 2;
    public const int AttrTypeString = 3;
    public const int AttrTypeFloats = 6;
    public const int AttrTypeInts = 7;

    public const int ValueInfoName = 1;
    public const int ValueInfoType = 2;

    public const int TypeTensor = 1;
    public const int TensorTypeElemType = 1;
    public const int TensorTypeShape = 2;
    public const int ShapeDim = 1;
    public const int DimValue = 1;
    public const int DimParam = 2;
    public const int DimDenotation = 3;

    public const int TensorDims = 1;
    public const int TensorDataType = 2;
    public const int TensorFloatData = 4;
    public const int TensorInt64Data = 7;
    public const int TensorName = 8;
    public const int TensorRawData = 9;
    public const int TensorExternalData = 13;
    public const int TensorDataLocation = 14;

    /// <summary>StringStringEntryProto: the (key, value) pairs of a tensor's external_data.</summary>
    public const int EntryKey = 1;
    public const int EntryValue = 2;
    public const int DataLocationExternal = 1;

    public const int ElemFloat = 1;
    public const int ElemUint8 = 2;
    public const int ElemFloat16 = 10;
    public const int ElemInt64 = 7;
}
