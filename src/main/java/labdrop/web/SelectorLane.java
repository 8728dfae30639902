package labdrop.web;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The top of the server's handlers, and what of a request runs on the network (selector) thread
 * that read it. An agent's doorbell poll that the doorbell answers from memory (a host polled
 * before: {@link DoorbellHandler#answersFromMemory}) is answered there; a page's or an API call's
 * body is read whole there as its bytes arrive ({@link WholeBody}); then the request is handed to
 * the worker threads and handled by the handlers below, as it would be without this lane.
 *
 * <p>Jetty runs a request on its selector thread when the server's handler declares itself
 * non-blocking, which this one does. That saves the hand-off of each poll to a worker thread
 * (about a quarter of a new-connection poll's CPU: docs/performance.md, "Doorbell through
 * HAProxy"); polls on kept connections are answered while every worker thread is busy; and no
 * worker thread waits for a slow client's body. Nothing done here may wait: a poll of a host not
 * yet in the doorbell's memory (its first poll, an unknown name) reads the store, so it takes
 * the worker threads' way.
 */
final class SelectorLane extends Handler.Wrapper {
    /** Where the API, and so the doorbell, is served. */
    static final String API = "/api/v1";
    private final DoorbellHandler doorbell;
    private final Executor requestThreads;
    private final WholeBody bodies = new WholeBody();

    /** Answers {@code doorbell}'s polls from memory here; hands everything else to {@code rest} on {@code requestThreads}. */
    SelectorLane(DoorbellHandler doorbell, Handler rest, Executor requestThreads) {
        super(rest);
        this.doorbell = doorbell;
        this.requestThreads = requestThreads;
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String host = path.startsWith(API) ? DoorbellHandler.host(path.substring(API.length())) : null;
        if (host != null && doorbell.answersFromMemory(host)) {
            doorbell.answer(host, request, response, callback);
            return true;
        }
        long reserved = bodies.reserve(request, path);
        if (reserved > 0) {
            bodies.read(request, response, callback, reserved, read -> handOff(read, response, callback));
        } else {
            handOff(request, response, callback);
        }
        return true;
    }

    private void handOff(Request request, Response response, Callback callback) {
        try {
            requestThreads.execute(() -> handOn(request, response, callback));
        } catch (RejectedExecutionException stopping) {
            Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, "the server is stopping");
        }
    }

    /** On a request thread: the handlers below, as Jetty itself calls them (404 when none takes the request). */
    private void handOn(Request request, Response response, Callback callback) {
        try {
            if (!super.handle(request, response, callback)) {
                Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
            }
        } catch (Throwable failure) {
            // as Jetty does with what a handler throws: its error page, or the connection closed once committed
            callback.failed(failure);
        }
    }
}
