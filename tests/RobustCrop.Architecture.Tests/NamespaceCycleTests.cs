using System.Text.RegularExpressions;
using NetArchTest.Rules;

namespace RobustCrop.Architecture.Tests;

/// <summary>
/// No two namespaces of the shipped assemblies depend on each other, directly or round a longer loop. The graph is built
/// from real type dependencies (NetArchTest reads the IL), so an unused using creates no edge.
/// </summary>
[Trait("Category", "Slow")]
public sealed class NamespaceCycleTests
{
    [Fact]
    public void The_namespace_graph_has_no_cycle()
    {
        var types = Layers.All.SelectMany(a => a.GetTypes()).Where(t => t.Namespace?.StartsWith("RobustCrop", StringComparison.Ordinal) == true
            && !t.Name.StartsWith('<')).ToList();
        var namespaces = types.Select(t => t.Namespace!).Distinct().Order(StringComparer.Ordinal).ToList();
        var edges = namespaces.ToDictionary(n => n, _ => new List<string>());
        foreach (string from in namespaces)
            foreach (string to in namespaces)
            {
                if (from == to) continue;
                // Top-level types of `to` by full name: a namespace prefix would also match its sub-namespaces.
                string[] targets = types.Where(t => t.Namespace == to && !t.IsNested).Select(t => t.FullName!).ToArray();
                if (targets.Length == 0) continue;
                bool uses = Types.InAssemblies(Layers.All).That().ResideInNamespaceMatching($"^{Regex.Escape(from)}$")
                    .And().HaveDependencyOnAny(targets).GetTypes().Any();
                if (uses) edges[from].Add(to);
            }

        var cycle = FindCycle(edges);
        Assert.True(cycle is null, "namespace cycle: " + string.Join(" -> ", cycle ?? []));
    }

    /// <summary>A cycle as a path that starts and ends at the same namespace, or null.</summary>
    private static List<string>? FindCycle(Dictionary<string, List<string>> edges)
    {
        var state = edges.Keys.ToDictionary(k => k, _ => 0); // 0 new, 1 on the stack, 2 done
        var stack = new List<string>();
        List<string>? Visit(string n)
        {
            state[n] = 1;
            stack.Add(n);
            foreach (string m in edges[n])
            {
                if (state[m] == 1) return [.. stack.SkipWhile(s => s != m), m];
                if (state[m] == 0 && Visit(m) is { } found) return found;
            }
            stack.RemoveAt(stack.Count - 1);
            state[n] = 2;
            return null;
        }
        foreach (string n in edges.Keys)
            if (state[n] == 0 && Visit(n) is { } c) return c;
        return null;
    }
}
