package io.quokka.fallback.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quokka.engine.CancelToken;
import io.quokka.engine.TokenListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * One request to an upstream whose answer has started: its lines arrive on the HTTP client's threads into a queue and
 * are relayed on the caller's thread, each as it arrives. A cancelled request (the client left) cancels the exchange;
 * an upstream that sends nothing for its timeout is abandoned.
 */
public final class UpstreamCall implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UpstreamCall.class);
    private static final long POLL_MILLIS = 50;
    private static final int ERROR_BODY_LIMIT = 64 * 1024;
    private static final Object END = new Object();

    /** How the stream ended: Ollama's counts and timings (measured here when the upstream gives none). */
    public record Result(io.quokka.engine.DoneReason doneReason, int promptTokens, long promptNanos, int evalTokens,
                         long evalNanos, long firstTextNanos) {}

    private final Upstream upstream;
    private final Protocol protocol;
    private final ObjectMapper json;
    private final CancelToken cancel;
    /** The API key, only to blank it out of what the upstream says (some echo a bad key in their error). */
    private final String secret;
    private final Lines lines = new Lines();
    private CompletableFuture<HttpResponse<Void>> exchange;
    private volatile boolean finished;

    private UpstreamCall(Upstream upstream, Protocol protocol, ObjectMapper json, CancelToken cancel, String secret) {
        this.secret = secret;
        this.upstream = upstream;
        this.protocol = protocol;
        this.json = json;
        this.cancel = cancel;
    }

    static UpstreamCall open(HttpClient http, HttpRequest request, Upstream upstream, Protocol protocol,
                             ObjectMapper json, CancelToken cancel, String secret) {
        UpstreamCall call = new UpstreamCall(upstream, protocol, json, cancel, secret);
        CompletableFuture<HttpResponse.ResponseInfo> started = new CompletableFuture<>();
        call.exchange = http.sendAsync(request, info -> {
            started.complete(info);
            return HttpResponse.BodySubscribers.fromLineSubscriber(call.lines, s -> null, StandardCharsets.UTF_8, null);
        });
        call.exchange.whenComplete((r, e) -> {
            if (e != null) {
                started.completeExceptionally(e);
                call.lines.items.add(e);
            }
        });
        cancel.onCancel(call::abandon);
        int status = call.awaitStart(started);
        if (status / 100 != 2) {
            String body = call.errorBody();
            call.abandon();
            throw new UpstreamException(status == 401 || status == 403 ? 502 : status,
                    "upstream " + upstream.describe() + " answered " + status + ": "
                            + call.redact(Protocol.errorMessage(body, json)));
        }
        return call;
    }

    private int awaitStart(CompletableFuture<HttpResponse.ResponseInfo> started) {
        try {
            return started.get(upstream.timeout().toMillis() + UpstreamClient.CONNECT_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS).statusCode();
        } catch (TimeoutException e) {
            abandon();
            throw new UpstreamException(504, "upstream " + upstream.describe() + " did not answer within "
                    + upstream.timeout().toSeconds() + "s");
        } catch (InterruptedException e) {
            abandon();
            Thread.currentThread().interrupt();
            throw new UpstreamException(499, "request cancelled");
        } catch (ExecutionException e) {
            throw unreachable(e.getCause());
        }
    }

    private UpstreamException unreachable(Throwable cause) {
        if (cause instanceof CompletionException c && c.getCause() != null) cause = c.getCause();
        if (cancel.isCancelled()) return new UpstreamException(499, "request cancelled");
        if (cause instanceof HttpTimeoutException) {
            return new UpstreamException(504, "upstream " + upstream.describe() + " did not answer within "
                    + upstream.timeout().toSeconds() + "s");
        }
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new UpstreamException(502, "upstream " + upstream.describe() + " is unreachable: " + why, cause);
    }

    /** The body of an error answer, up to 64 KiB. */
    private String errorBody() {
        StringBuilder body = new StringBuilder();
        long deadline = System.nanoTime() + upstream.timeout().toNanos();
        try {
            while (body.length() < ERROR_BODY_LIMIT && System.nanoTime() < deadline) {
                Object item = lines.items.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (item == END || item instanceof Throwable) break;
                if (item instanceof String line) body.append(line).append('\n');
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return body.toString();
    }

    /**
     * Relays the answer's text to {@code listener} as it arrives, until the upstream ends it.
     *
     * @throws UpstreamException when the upstream fails, stalls or ends without finishing
     */
    public Result relay(TokenListener listener) {
        Tally tally = new Tally();
        long start = System.nanoTime();
        long[] first = {-1};
        TokenListener timed = text -> {
            if (first[0] < 0) first[0] = System.nanoTime();
            listener.onText(text);
        };
        long idleLimit = upstream.timeout().toNanos();
        long lastLine = System.nanoTime();
        try {
            while (!tally.done) {
                if (cancel.isCancelled()) throw new UpstreamException(499, "request cancelled");
                Object item = lines.items.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (item == null) {
                    if (System.nanoTime() - lastLine > idleLimit) {
                        throw new UpstreamException(504, "upstream " + upstream.describe() + " sent nothing for "
                                + upstream.timeout().toSeconds() + "s");
                    }
                    continue;
                }
                lastLine = System.nanoTime();
                if (item == END) break;
                if (item instanceof Throwable t) throw unreachable(t);
                try {
                    protocol.line((String) item, timed, tally, json);
                } catch (UpstreamException e) {
                    throw new UpstreamException(e.status(), "upstream " + upstream.describe() + ": "
                            + redact(e.getMessage()));
                } catch (UncheckedIOException e) {
                    throw e;
                } catch (Exception e) {
                    throw new UpstreamException(502, "upstream " + upstream.describe() + " sent an unreadable line: "
                            + redact(e.getMessage()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(499, "request cancelled");
        } finally {
            finished = tally.done;
            if (!tally.done) abandon();
        }
        if (!tally.done) {
            throw new UpstreamException(502, "upstream " + upstream.describe() + " ended its answer early");
        }
        long end = System.nanoTime();
        long firstText = first[0] < 0 ? end : first[0];
        return new Result(tally.doneReason, tally.promptTokens,
                tally.promptNanos >= 0 ? tally.promptNanos : firstText - start, tally.evalTokens,
                tally.evalNanos >= 0 ? tally.evalNanos : end - firstText, first[0]);
    }

    /** {@code text} with the API key blanked out. */
    private String redact(String text) {
        if (text == null || secret == null || secret.isEmpty()) return text;
        return text.replace(secret, "***");
    }

    /** Stops the exchange: the connection is closed and the upstream sees the request cancelled. */
    private void abandon() {
        Flow.Subscription s = lines.subscription;
        if (s != null) s.cancel();
        if (exchange != null) exchange.cancel(true);
    }

    @Override
    public void close() {
        if (!finished) {
            LOG.debugf("upstream %s: abandoning the call", upstream.describe());
            abandon();
        }
    }

    /** Receives the body's lines on the HTTP client's threads. */
    private static final class Lines implements Flow.Subscriber<String> {
        final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
        volatile Flow.Subscription subscription;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            items.add(line);
        }

        @Override
        public void onError(Throwable t) {
            items.add(t instanceof IOException ? t : new IOException(t));
        }

        @Override
        public void onComplete() {
            items.add(END);
        }
    }
}
