using RobustCrop.Core.Metrics;

namespace RobustCrop.Core.Tests.Metrics;

/// <summary>nn_changed_1px on 2-D embeddings whose neighbours are worked out by hand.</summary>
public class NearestNeighbourChangeTests
{
    // Directions 0°, 40°, 100° (lengths differ: cosine ignores them).
    private static readonly float[][] Gallery = [Dir(0, 1), Dir(40, 2), Dir(100, 0.5f)];

    [Fact]
    public void The_nearest_neighbour_is_the_most_similar_direction_other_than_the_image_itself()
    {
        var nn = new NearestNeighbourChange(Gallery);
        Assert.Equal(1, nn.Nearest(Gallery[0], exclude: 0)); // 40° away beats 100°
        Assert.Equal(0, nn.Nearest(Gallery[1], exclude: 1)); // 40° to image 0 beats 60° to image 2
        Assert.Equal(1, nn.Nearest(Gallery[2], exclude: 2)); // 60° beats 100°
    }

    [Fact]
    public void A_shift_that_turns_the_embedding_towards_another_image_changes_its_neighbour()
    {
        var nn = new NearestNeighbourChange(Gallery);
        // Image 1 (40°): its base neighbour is image 0 (at 0°). A shift to 45° still is nearest 0 (45° < 55°); one to 75°
        // is nearer image 2 (25° < 75°).
        Assert.False(nn.Changed(1, [Dir(45, 1)]));
        Assert.True(nn.Changed(1, [Dir(45, 1), Dir(75, 1)]));
    }

    [Fact]
    public void A_gallery_of_one_image_has_no_neighbour_to_change()
        => Assert.Null(new NearestNeighbourChange([Dir(0, 1)]).Changed(0, [Dir(90, 1)]));

    [Fact]
    public void Against_a_given_gallery_every_vector_is_a_candidate_and_the_query_is_not_part_of_it()
    {
        var nn = new NearestNeighbourChange(Gallery);
        // A base at 10°: nearest 0 (10° away); a shift to 25° is nearer 1 (15° < 25°); one to 15° stays with 0 (15° < 25°).
        Assert.False(nn.Changed(Dir(10, 1), [Dir(15, 1)]));
        Assert.True(nn.Changed(Dir(10, 1), [Dir(15, 1), Dir(25, 1)]));
        // Image 0's own vector as a query finds itself (nothing is excluded), so a shift away from it to 30° changes it.
        Assert.True(nn.Changed(Gallery[0], [Dir(30, 1)]));
        Assert.Null(new NearestNeighbourChange([]).Changed(Dir(0, 1), [Dir(1, 1)]));
    }

    private static float[] Dir(double degrees, float length)
        => [length * (float)Math.Cos(degrees * Math.PI / 180), length * (float)Math.Sin(degrees * Math.PI / 180)];
}
