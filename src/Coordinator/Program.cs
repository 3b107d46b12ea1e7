using Microsoft.ML.OnnxRuntime;
foreach (var f in new[]{"models/ResNet18Onnx/ResNet18.onnx","models/ResNetPrepOnnx/ResNetPreprocess.onnx"}) {
  using var s = new InferenceSession(Path.Combine(AppContext.BaseDirectory, f));
  Console.WriteLine(f);
  foreach (var kv in s.InputMetadata) Console.WriteLine($"  in {kv.Key} {kv.Value.ElementType} [{string.Join(",", kv.Value.Dimensions)}] sym[{string.Join(",", kv.Value.SymbolicDimensions)}]");
  foreach (var kv in s.OutputMetadata) Console.WriteLine($"  out {kv.Key} {kv.Value.ElementType} [{string.Join(",", kv.Value.Dimensions)}]");
  foreach (var kv in s.ModelMetadata.CustomMetadataMap) Console.WriteLine($"  meta {kv.Key}={kv.Value}");
  Console.WriteLine($"  producer {s.ModelMetadata.ProducerName} {s.ModelMetadata.GraphName} {s.ModelMetadata.Description}");
}
return 0;
