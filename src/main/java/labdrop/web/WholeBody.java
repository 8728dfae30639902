package labdrop.web;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A page's or an API call's body, read whole before a worker thread takes the request, without a
 * thread while it arrives: a client that sends its body slowly, or never, holds no worker thread,
 * so it cannot stall the pages and the API for everyone. A body up to {@link Exchange#MAX_BODY}
 * must arrive within {@link #DEADLINE} (else 408, the connection closed); a longer one is 413.
 * Bodies being read this way may hold {@link #MAX_WAITING_BYTES} in all (counted by their
 * declared length, {@link Exchange#MAX_BODY} when undeclared); past that a body is read by a
 * worker thread, as it would be without this class, so memory stays bounded by the threads.
 * Package uploads (the API's {@code PUT /packages/...}, the admin page's form) stream as before:
 * only an admin gets that far, and they are checked before a byte is read.
 */
final class WholeBody {
    /** How long a body of up to {@link Exchange#MAX_BODY} may take to arrive (1 MiB at 35 KB/s). */
    static final Duration DEADLINE = Duration.ofSeconds(30);
    /** The bodies being read at once, in bytes: 64 bodies of the largest size. */
    static final long MAX_WAITING_BYTES = 64L * Exchange.MAX_BODY;
    private final AtomicLong waiting = new AtomicLong();

    /**
     * The bytes set aside for reading the request's body here, or 0 when it is not read here: no
     * body, an upload's, over {@link Exchange#MAX_BODY} as declared, or {@link #MAX_WAITING_BYTES} taken.
     */
    long reserve(Request request, String path) {
        long length = request.getLength();
        boolean body = length > 0 || length < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        if (!body || length > Exchange.MAX_BODY || isUpload(path)) {
            return 0;
        }
        long size = length > 0 ? length : Exchange.MAX_BODY;
        if (waiting.addAndGet(size) > MAX_WAITING_BYTES) {
            waiting.addAndGet(-size);
            return 0;
        }
        return size;
    }

    private static boolean isUpload(String path) {
        return path.startsWith(SelectorLane.API + "/packages/") || path.equals(AdminPages.UPLOAD);
    }

    /**
     * Reads the body {@link #reserve} set {@code reserved} bytes aside for (on whatever thread its
     * bytes arrive, never waiting), then gives {@code then} the request with the body in memory; or
     * answers 408 or 413 itself.
     */
    void read(Request request, Response response, Callback callback, long reserved, Consumer<Request> then) {
        AtomicBoolean settled = new AtomicBoolean();
        Scheduler.Task deadline = request.getComponents().getScheduler().schedule(() -> {
            if (settled.compareAndSet(false, true)) {
                waiting.addAndGet(-reserved);
                refuse(response, callback, 408, "the request's body did not arrive within " + DEADLINE.toSeconds()
                        + " s (bodies of pages and API calls, up to " + Exchange.MAX_BODY + " bytes, are read whole first);"
                        + " send the body with the request");
            }
        }, DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        Content.Source.asByteArrayAsync(request, Exchange.MAX_BODY, new Promise.Invocable<byte[]>() {
            @Override
            public void succeeded(byte[] body) {
                if (settled.compareAndSet(false, true)) {
                    deadline.cancel();
                    waiting.addAndGet(-reserved);
                    then.accept(new Read(request, body));
                }
            }

            @Override
            public void failed(Throwable failure) {
                if (settled.compareAndSet(false, true)) {
                    deadline.cancel();
                    waiting.addAndGet(-reserved);
                    if (failure instanceof IOException) {
                        callback.failed(failure); // the client went away
                    } else {
                        refuse(response, callback, 413, "the request's body is over the cap of " + Exchange.MAX_BODY
                                + " bytes for pages and API calls; upload packages with PUT /api/v1/packages/REPOSITORY/FILE");
                    }
                }
            }

            @Override
            public InvocationType getInvocationType() {
                return InvocationType.NON_BLOCKING;
            }
        });
    }

    private static void refuse(Response response, Callback callback, int status, String why) {
        // what is left of the body is never read: the connection cannot carry another request
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        Errors.send(response, callback, status, Map.of("error", why));
    }

    /** The request with its body read into memory: handlers read it as they would the network's. */
    private static final class Read extends Request.Wrapper {
        private final Content.Source body;

        Read(Request request, byte[] body) {
            super(request);
            this.body = Content.Source.from(ByteBuffer.wrap(body));
        }

        @Override
        public Content.Chunk read() {
            return body.read();
        }

        @Override
        public void demand(Runnable demandCallback) {
            body.demand(demandCallback);
        }

        @Override
        public void fail(Throwable failure) {
            body.fail(failure);
        }
    }
}
