using RobustCrop.Core.Metrics;
using RobustCrop.Core.Models;

namespace RobustCrop.Core.Tests.Models;

/// <summary>predict's top-3: the probabilities behind the prediction, recovered from the vector the interpreter keeps.</summary>
public sealed class TopClassesTests
{
    private static float[] Softmax(params float[] x)
    {
        var e = x.Select(v => MathF.Exp(v - x.Max())).ToArray();
        return [.. e.Select(v => v / e.Sum())];
    }

    [Fact]
    public void A_logits_model_lists_its_softmax_probabilities_most_probable_first()
    {
        var interpreter = new OutputInterpreter(OutputKind.Logits, 4, null);
        var outputs = new CropOutputs(1, 4, hasClasses: true);
        float[] raw = [1f, 3f, 2f, -1f];
        interpreter.Interpret(raw, outputs, 0, new float[4]);

        var top = interpreter.TopK(outputs, 0, 3);

        var p = Softmax(raw);
        Assert.Equal([1, 2, 0], top.Select(t => t.Class));
        for (int i = 0; i < 3; i++) Assert.Equal(p[top[i].Class], top[i].Probability, 1e-5f);
        Assert.Equal(outputs.Predictions![0], top[0].Class);
        Assert.Equal(outputs.Confidences![0], top[0].Probability, 1e-5f);
    }

    [Fact]
    public void A_head_lists_the_softmax_of_its_scaled_cosines_and_matches_the_prediction()
    {
        var head = new ClassHead(HeadKind.Prototype, ["east", "north", "west"], 2, [1, 0, 0, 1, -1, 0], null, logitScale: 5f);
        var interpreter = new OutputInterpreter(OutputKind.Embedding, 2, head);
        var outputs = new CropOutputs(1, 2, hasClasses: true);
        interpreter.Interpret([0.8f, 0.6f], outputs, 0, new float[3]); // cosines 0.8, 0.6, -0.8

        var top = interpreter.TopK(outputs, 0, 2);

        var p = Softmax(4f, 3f, -4f);
        Assert.Equal([0, 1], top.Select(t => t.Class));
        for (int i = 0; i < 2; i++) Assert.Equal(p[i], top[i].Probability, 1e-5f);
        Assert.Equal(outputs.Predictions![0], top[0].Class);
        Assert.Equal(outputs.Confidences![0], top[0].Probability, 1e-5f);
    }

    [Fact]
    public void Without_classes_there_is_no_top_list()
    {
        var interpreter = new OutputInterpreter(OutputKind.Embedding, 2, null);
        var outputs = new CropOutputs(1, 2, hasClasses: false);
        interpreter.Interpret([0.8f, 0.6f], outputs, 0, new float[1]);
        Assert.Empty(interpreter.TopK(outputs, 0, 3));
    }
}
