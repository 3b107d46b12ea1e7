using RobustCrop.Cluster.Hosting;

namespace RobustCrop.Cluster.Tests.Hosting;

public sealed class EndingNodeLogTests
{
    // The two lines a coordinator printed after a successful one-worker job, as the worker had left (as StderrLogger writes them).
    private const string AssociationError = "akka warning akka.tcp://robustcrop@127.0.0.1:45113/system/endpointManager/reliableEndpointWriter-akka.tcp%3A%2F%2Frobustcrop%40127.0.0.1%3A43465-2/endpointWriter: AssociationError [akka.tcp://robustcrop@127.0.0.1:45113] -> akka.tcp://robustcrop@127.0.0.1:43465: Error [Connection refused tcp://robustcrop@127.0.0.1:43465] []";
    private const string Gated = "akka warning remoting (akka://robustcrop): Tried to associate with unreachable remote address [akka.tcp://robustcrop@127.0.0.1:43465]. Address is now gated for 500 ms, all messages to this address will be delivered to dead letters. Reason: [Connection refused tcp://robustcrop@127.0.0.1:43465]";

    [Fact]
    public void Association_warnings_pass_while_the_job_runs_and_are_dropped_once_it_ended()
    {
        var lines = new List<string>();
        var log = new EndingNodeLog(lines.Add);
        log.Write(AssociationError);
        log.Write(Gated);
        Assert.Equal([AssociationError, Gated], lines);

        lines.Clear();
        log.JobEnded();
        log.Write(AssociationError);
        log.Write(Gated);
        Assert.Empty(lines);

        // Anything else still passes after the end: an error (even about an association), another warning, the host's own lines.
        string error = "akka error remoting: AssociationError [akka.tcp://robustcrop@127.0.0.1:1] fatal";
        string other = "akka warning cluster: Cluster Node [akka.tcp://robustcrop@127.0.0.1:1] - Marking node as UNREACHABLE";
        log.Write(error);
        log.Write(other);
        log.Write("worker w: job a complete; leaving");
        Assert.Equal([error, other, "worker w: job a complete; leaving"], lines);
    }
}
