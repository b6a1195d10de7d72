package io.quokka.scheduler;

import io.quokka.engine.CancelToken;
import io.quokka.engine.ChatMessage;
import io.quokka.engine.EmbeddingRequest;
import io.quokka.engine.EmbeddingResult;
import io.quokka.engine.Engine;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import io.quokka.engine.LoadRequest;
import io.quokka.engine.LoadedModel;
import io.quokka.engine.ModelFacts;
import io.quokka.engine.TokenListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An engine that loads instantly and records loads and unloads: for scheduler unit tests only. */
final class FakeEngine implements Engine {
    final List<String> events = new CopyOnWriteArrayList<>();
    final AtomicInteger loads = new AtomicInteger();
    volatile long loadMillis;
    /** The model (by file name) whose close() hangs, as a stuck runner's would, until {@link #unstick} opens. */
    volatile String stuckOnClose;
    /** Opens when the stuck model's close() has begun. */
    final CountDownLatch stuckCloseBegan = new CountDownLatch(1);
    final CountDownLatch unstick = new CountDownLatch(1);

    @Override
    public LoadedModel load(LoadRequest request) {
        loads.incrementAndGet();
        if (loadMillis > 0) {
            try {
                Thread.sleep(loadMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String name = request.modelFile().getFileName().toString();
        events.add("load " + name);
        return new FakeModel(name);
    }

    final class FakeModel implements LoadedModel {
        final String name;
        volatile boolean alive = true;

        FakeModel(String name) {
            this.name = name;
        }

        @Override
        public ModelFacts facts() {
            return new ModelFacts(2048, 2048, 100, null, 0);
        }

        @Override
        public long pid() {
            return 1;
        }

        @Override
        public boolean isAlive() {
            return alive;
        }

        @Override
        public long residentBytes() {
            return 1000;
        }

        @Override
        public int[] tokenize(String text, boolean addSpecial) {
            return new int[0];
        }

        @Override
        public String applyChatTemplate(String template, List<ChatMessage> messages, boolean add) {
            return "";
        }

        @Override
        public GenerationResult generate(GenerationRequest r, TokenListener l, CancelToken c) {
            throw new UnsupportedOperationException();
        }

        @Override
        public EmbeddingResult embed(EmbeddingRequest r, CancelToken c) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            if (name.equals(stuckOnClose)) {
                stuckCloseBegan.countDown();
                try {
                    unstick.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (alive) events.add("unload " + name);
            alive = false;
        }
    }
}
