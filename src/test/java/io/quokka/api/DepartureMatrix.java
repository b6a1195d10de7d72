package io.quokka.api;

import java.util.Random;

/**
 * The departure matrix: each moment on each endpoint, streamed and not, as a batch checked on its own; and
 * departures at random moments, in batches, some of them at once.
 */
final class DepartureMatrix {
    private DepartureMatrix() {}

    /** Each moment on each endpoint, streamed and not; a batch a moment. */
    static void everyMoment(Departures d, Random random) throws Exception {
        for (Departures.Moment moment : new Departures.Moment[] {Departures.Moment.QUEUED, Departures.Moment.LOADING,
                Departures.Moment.PROMPT, Departures.Moment.STREAMING, Departures.Moment.AFTER_LAST}) {
            for (Departures.Endpoint endpoint : Departures.Endpoint.values()) {
                for (boolean stream : endpoint.streams ? new boolean[] {false, true} : new boolean[] {false}) {
                    switch (moment) {
                        case QUEUED -> d.whileQueued(endpoint, stream, random);
                        case LOADING -> d.whileLoading(endpoint, stream, random);
                        case PROMPT -> d.duringPrompt(endpoint, stream, random);
                        case STREAMING -> d.whileStreaming(endpoint, stream, random);
                        case AFTER_LAST -> d.afterLastToken(endpoint, stream);
                        case RANDOM -> throw new AssertionError();
                    }
                }
            }
            d.assertNothingHeld(moment.toString());
        }
    }

    /** {@code randomCount} departures at random moments, in batches of 25, one to three clients at once. */
    static void atRandom(Departures d, Random random, int randomCount) throws Exception {
        int batch = 0;
        for (int done = 0; done < randomCount; batch++) {
            int size = Math.min(randomCount - done, 25);
            for (int i = 0; i < size; ) {
                // One to three clients at once, each leaving at its own random moment.
                int together = Math.min(size - i, 1 + random.nextInt(3));
                Thread[] clients = new Thread[together];
                Exception[] failure = new Exception[1];
                for (int c = 0; c < together; c++) {
                    long seed = random.nextLong();
                    clients[c] = Thread.ofPlatform().start(() -> {
                        try {
                            d.atRandom(new Random(seed));
                        } catch (Exception e) {
                            failure[0] = e;
                        }
                    });
                }
                for (Thread t : clients) t.join();
                if (failure[0] != null) throw failure[0];
                i += together;
            }
            done += size;
            d.assertNothingHeld("random batch " + batch);
        }
    }
}
