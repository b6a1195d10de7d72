package io.quokka.scheduler;

import io.quokka.engine.CancelToken;
import io.quokka.engine.Engine;
import io.quokka.engine.EngineException;
import io.quokka.engine.LoadRequest;
import io.quokka.engine.LoadedModel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Decides which model is resident. One model at a time: a request for the resident model goes straight through;
 * a request for another waits until the resident one has no requests in flight, then that runner ends (its memory
 * returned) and the new one loads. Keep-alive is a reference count plus a timer armed when the last request
 * releases the model and disarmed when a new one takes it, as in Ollama's scheduler.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Scheduler.class);
    /** How often a waiting request re-checks whether its client went away. */
    private static final long CANCEL_POLL_MILLIS = 50;

    private final Engine engine;
    private final LoadPlanner planner;
    private final int maxQueue;
    private final Clock clock;
    private final ScheduledExecutorService timers;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final Condition changed = lock.newCondition();
    private final List<SchedulerListener> listeners = new CopyOnWriteArrayList<>();

    // Guarded by lock.
    private Slot current;
    private final java.util.ArrayDeque<Ticket> queue = new java.util.ArrayDeque<>();

    public Scheduler(Engine engine, int maxQueue) {
        this(engine, maxQueue, Clock.systemUTC());
    }

    /** A scheduler whose loads go through {@code planner} (the memory guard) first. */
    public Scheduler(Engine engine, int maxQueue, LoadPlanner planner) {
        this(engine, maxQueue, Clock.systemUTC(), planner);
    }

    Scheduler(Engine engine, int maxQueue, Clock clock) {
        this(engine, maxQueue, clock, LoadPlanner.NONE);
    }

    Scheduler(Engine engine, int maxQueue, Clock clock, LoadPlanner planner) {
        this.engine = engine;
        this.planner = planner;
        this.maxQueue = maxQueue;
        this.clock = clock;
        this.timers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("keep-alive").factory());
    }

    /** Adds an observer of loads and unloads (metrics, logs). */
    public void addListener(SchedulerListener listener) {
        listeners.add(listener);
    }

    /** Queue depth, leases in flight and any load under way; never touches a keep-alive timer. */
    public SchedulerStats stats() {
        lock.lock();
        try {
            Slot slot = current;
            return new SchedulerStats(queue.size(), slot == null ? 0 : slot.refs,
                    slot != null && slot.loading ? slot.spec.name() : null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Claims {@code spec}'s model, loading it (and unloading another) if needed. Blocks while another model is
     * busy or loading.
     */
    public Lease acquire(ModelSpec spec, KeepAlive keepAlive, CancelToken cancel)
            throws EngineException, ServerBusyException, RequestCancelledException {
        long start = System.nanoTime();
        lock.lock();
        try {
            if (queue.size() >= maxQueue) throw new ServerBusyException();
            Ticket ticket = new Ticket(spec, System.nanoTime());
            queue.addLast(ticket);
            LoadRequest planned = null; // decided before the resident model is evicted, so a refusal leaves it be
            try {
                while (true) {
                    if (cancel.isCancelled()) throw new RequestCancelledException();
                    Slot slot = current;
                    boolean myTurn = noEarlierTicketNeedsAnotherRunner(ticket);
                    if (slot != null && !slot.loading && slot.spec.sameRunnerAs(spec) && slot.model.isAlive()) {
                        if (myTurn || ticket.arrivedNanos() <= slot.readyNanos) {
                            slot.claim(keepAlive);
                            return new SlotLease(slot, System.nanoTime() - start);
                        }
                    } else if (myTurn && slot == null) {
                        LoadRequest plan = planned != null ? planned : planner.plan(spec, 0);
                        queue.remove(ticket);
                        return load(spec, plan, keepAlive, start);
                    } else if (myTurn && !slot.loading && slot.refs == 0) {
                        if (planned == null) {
                            planned = planner.plan(spec, slot.model.isAlive() ? Math.max(0, slot.model.residentBytes()) : 0);
                        }
                        unload(slot, slot.spec.sameRunnerAs(spec) ? UnloadReason.RUNNER_EXITED : UnloadReason.REPLACED);
                        continue;
                    }
                    changed.await(CANCEL_POLL_MILLIS, TimeUnit.MILLISECONDS);
                }
            } finally {
                if (queue.remove(ticket)) changed.signalAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestCancelledException();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fairness without thrashing: a request waits while an earlier one needs a different runner, so a stream of
     * requests for the resident model cannot starve a request for another; but when a model becomes resident,
     * every request already waiting for it is served in that turn (not one per swap). Called with the lock held.
     */
    private boolean noEarlierTicketNeedsAnotherRunner(Ticket ticket) {
        for (Ticket earlier : queue) {
            if (earlier == ticket) return true;
            if (!earlier.spec.sameRunnerAs(ticket.spec)) return false;
        }
        return true;
    }

    /** Requests waiting or being served their model, in arrival order. */
    private record Ticket(ModelSpec spec, long arrivedNanos) {}

    /** Loads outside the lock so /api/ps and requests for other work are not held up; called with the lock held. */
    private Lease load(ModelSpec spec, LoadRequest load, KeepAlive keepAlive, long start) throws EngineException {
        Slot slot = new Slot(spec);
        current = slot;
        lock.unlock();
        LoadedModel model = null;
        long loadStart = System.nanoTime();
        try {
            LOG.infof("loading model %s (ctx %d)", spec.name(), load.numCtx());
            model = engine.load(load);
        } catch (EngineException | RuntimeException e) {
            long nanos = System.nanoTime() - loadStart;
            listeners.forEach(l -> l.loadFailed(spec, nanos, e.getMessage()));
            throw e;
        } finally {
            lock.lock();
            if (model == null) {
                current = null;
                changed.signalAll();
            }
        }
        slot.model = model;
        slot.loading = false;
        slot.readyNanos = System.nanoTime();
        slot.claim(keepAlive);
        changed.signalAll();
        long loadNanos = System.nanoTime() - loadStart;
        listeners.forEach(l -> l.loaded(spec, loadNanos));
        LOG.infof("loaded model %s in %d ms (runner pid %d)", spec.name(), (System.nanoTime() - start) / 1_000_000, model.pid());
        return new SlotLease(slot, System.nanoTime() - start);
    }

    /** Unloads the model named {@code name} now if idle, or as soon as its last request ends. */
    public void expire(String name) {
        lock.lock();
        try {
            Slot slot = current;
            if (slot == null || slot.loading || !slot.spec.name().equals(name)) return;
            slot.keepAlive = KeepAlive.UNLOAD_NOW;
            if (slot.refs == 0) unload(slot, UnloadReason.REQUESTED);
        } finally {
            lock.unlock();
        }
    }

    /** The resident models, for {@code /api/ps}. Never loads, never touches a keep-alive timer. */
    public List<ResidentModel> resident() {
        lock.lock();
        try {
            Slot slot = current;
            if (slot == null || slot.loading || !slot.model.isAlive()) return List.of();
            return List.of(new ResidentModel(slot.spec, slot.model.facts().contextLength(),
                    Math.max(0, slot.model.residentBytes()), slot.expiresAt(clock.instant()), slot.refs));
        } finally {
            lock.unlock();
        }
    }

    /** The resident model's spec, if one is loaded and matches {@code spec}'s runner. */
    public Optional<ModelSpec> residentSpec() {
        lock.lock();
        try {
            return current == null || current.loading ? Optional.empty() : Optional.of(current.spec);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (current != null && !current.loading) unload(current, UnloadReason.SHUTDOWN);
        } finally {
            lock.unlock();
        }
        timers.shutdownNow();
    }

    // Called with the lock held.
    private void unload(Slot slot, UnloadReason reason) {
        if (slot.timer != null) slot.timer.cancel(false);
        if (current == slot) current = null;
        LOG.infof("unloading model %s (%s)", slot.spec.name(), reason.label);
        slot.model.close();
        changed.signalAll();
        listeners.forEach(l -> l.unloaded(slot.spec, reason));
    }

    private void release(Slot slot) {
        lock.lock();
        try {
            slot.refs--;
            if (slot.refs == 0 && current == slot) {
                if (slot.keepAlive.immediate() || !slot.model.isAlive()) {
                    unload(slot, slot.model.isAlive() ? UnloadReason.EXPIRED : UnloadReason.RUNNER_EXITED);
                } else if (!slot.keepAlive.forever()) {
                    Duration d = slot.keepAlive.duration();
                    slot.idleSince = clock.instant();
                    slot.timer = timers.schedule(() -> expireIdle(slot), d.toNanos(), TimeUnit.NANOSECONDS);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void expireIdle(Slot slot) {
        lock.lock();
        try {
            if (current == slot && slot.refs == 0) unload(slot, UnloadReason.EXPIRED);
        } finally {
            lock.unlock();
        }
    }

    /** The resident model and its bookkeeping. Mutable, guarded by the scheduler's lock. */
    private static final class Slot {
        final ModelSpec spec;
        LoadedModel model;
        boolean loading = true;
        /** When it became ready: requests for it that were already waiting then are all served in this turn. */
        long readyNanos;
        int refs;
        KeepAlive keepAlive = KeepAlive.FOREVER;
        Instant idleSince;
        ScheduledFuture<?> timer;

        Slot(ModelSpec spec) {
            this.spec = spec;
        }

        void claim(KeepAlive requested) {
            refs++;
            keepAlive = requested;
            idleSince = null;
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }

        Instant expiresAt(Instant now) {
            if (keepAlive.forever()) return now.plusNanos(Long.MAX_VALUE);
            return (idleSince == null ? now : idleSince).plus(keepAlive.duration());
        }
    }

    private final class SlotLease implements Lease {
        private final Slot slot;
        private final long loadNanos;
        private boolean closed;

        SlotLease(Slot slot, long loadNanos) {
            this.slot = slot;
            this.loadNanos = loadNanos;
        }

        @Override
        public LoadedModel model() {
            return slot.model;
        }

        @Override
        public long loadNanos() {
            return loadNanos;
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            release(slot);
        }
    }
}
