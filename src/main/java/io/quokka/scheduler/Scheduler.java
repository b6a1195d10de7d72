package io.quokka.scheduler;

import io.quokka.engine.CancelToken;
import io.quokka.engine.Engine;
import io.quokka.engine.EngineException;
import io.quokka.engine.LoadRequest;
import io.quokka.engine.LoadedModel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Decides which models are resident: up to {@code maxLoaded} ({@code OLLAMA_MAX_LOADED_MODELS}), each in its own
 * runner, as Ollama's {@code server/sched.go}. A request for a resident model goes straight through. A request for
 * another loads it next to the resident ones when fewer than {@code maxLoaded} are resident and the planner (the
 * memory guard) says it fits alongside them as asked; otherwise one resident model is evicted at a time (an idle one
 * first, the one whose keep-alive runs out soonest, then the least recently used; a busy one only when none is
 * idle, after its requests finish) until it does. With nothing left resident the planner's shrink-or-refuse rules
 * apply, decided before the first eviction so that a refusal evicts nothing. Loads happen one at a time.
 *
 * <p>Keep-alive is, per model, a reference count plus a timer armed when the last request releases the model and
 * disarmed when a new one takes it. Requests wait in one FIFO queue: a request for a resident model also waits
 * while an earlier request needs that model's runner gone (so a stream of requests for it cannot starve the other),
 * but every request already waiting when a model becomes resident is served in that turn.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Scheduler.class);
    /** How often a waiting request re-checks whether its client went away. */
    private static final long CANCEL_POLL_MILLIS = 50;
    /**
     * {@code OLLAMA_MAX_LOADED_MODELS=0}: Ollama's automatic value, 3 models per GPU, or 3 on a CPU-only machine
     * ({@code defaultModelsPerGPU × max(GPUs, 1)}); the memory guard still decides whether each one fits.
     */
    public static final int AUTO_MAX_LOADED = 3;

    private final Engine engine;
    private final LoadPlanner planner;
    private final int maxQueue;
    private final int maxLoaded;
    private final Clock clock;
    private final ScheduledExecutorService timers;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final Condition changed = lock.newCondition();
    private final List<SchedulerListener> listeners = new CopyOnWriteArrayList<>();

    // Guarded by lock.
    /** Resident and loading runners, one per model file, in load order. */
    private final Map<Path, Slot> slots = new LinkedHashMap<>();
    private final ArrayDeque<Ticket> queue = new ArrayDeque<>();
    /** Counts loads and unloads: a waiting request asks the planner again only when it changed. */
    private long residency;
    /**
     * Runners unloaded while the lock is held, closed by the thread that unloaded them once it has let go of the lock
     * ({@link #unlockClosing()}, {@link #closeUnloaded()}): a runner slow to stop must not hold up requests for the
     * other models, nor {@code /api/ps}. Empty whenever the lock is free.
     */
    private final List<Unloaded> toClose = new ArrayList<>();
    /** Runners unloaded and not yet closed: no load starts before they are, as their memory is not free yet. */
    private int closing;

    private record Unloaded(Slot slot, UnloadReason reason) {}

    public Scheduler(Engine engine, int maxQueue) {
        this(engine, maxQueue, 1, Clock.systemUTC(), LoadPlanner.NONE);
    }

    /** One model at a time, whose loads go through {@code planner} (the memory guard) first. */
    public Scheduler(Engine engine, int maxQueue, LoadPlanner planner) {
        this(engine, maxQueue, 1, Clock.systemUTC(), planner);
    }

    /** Up to {@code maxLoaded} models at a time (0 or less: {@link #AUTO_MAX_LOADED}). */
    public Scheduler(Engine engine, int maxQueue, int maxLoaded, LoadPlanner planner) {
        this(engine, maxQueue, maxLoaded, Clock.systemUTC(), planner);
    }

    Scheduler(Engine engine, int maxQueue, Clock clock) {
        this(engine, maxQueue, 1, clock, LoadPlanner.NONE);
    }

    Scheduler(Engine engine, int maxQueue, int maxLoaded, Clock clock, LoadPlanner planner) {
        this.engine = engine;
        this.planner = planner;
        this.maxQueue = maxQueue;
        this.maxLoaded = maxLoaded > 0 ? maxLoaded : AUTO_MAX_LOADED;
        this.clock = clock;
        this.timers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("keep-alive").factory());
    }

    /** How many models may be resident at once. */
    public int maxLoaded() {
        return maxLoaded;
    }

    /** Adds an observer of loads and unloads (metrics, logs). */
    public void addListener(SchedulerListener listener) {
        listeners.add(listener);
    }

    /** Queue depth, leases in flight (all models) and any load under way; never touches a keep-alive timer. */
    public SchedulerStats stats() {
        lock.lock();
        try {
            int inFlight = 0;
            String loading = null;
            for (Slot slot : slots.values()) {
                inFlight += slot.refs;
                if (slot.loading) loading = slot.spec.name();
            }
            return new SchedulerStats(queue.size(), inFlight, loading);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Claims {@code spec}'s model, loading it (and evicting others) if needed. Blocks while the models to evict are
     * busy or another model is loading.
     */
    public Lease acquire(ModelSpec spec, KeepAlive keepAlive, CancelToken cancel)
            throws EngineException, ServerBusyException, RequestCancelledException {
        long start = System.nanoTime();
        lock.lock();
        try {
            if (queue.size() >= maxQueue) throw new ServerBusyException();
            Ticket ticket = new Ticket(spec, System.nanoTime());
            queue.addLast(ticket);
            try {
                while (true) {
                    if (cancel.isCancelled()) throw new RequestCancelledException();
                    Slot own = slots.get(key(spec));
                    if (own != null && own.serves(spec)) {
                        if (!blocked(ticket, own)) {
                            own.claim(keepAlive);
                            return new SlotLease(own, System.nanoTime() - start);
                        }
                    } else if ((own == null || !own.loading) && mayLoadNow(ticket)) {
                        Lease loaded = place(ticket, own, keepAlive, start);
                        if (loaded != null) return loaded;
                        if (ticket.evicted) {
                            ticket.evicted = false;
                            closeUnloaded(); // its runner; the ticket stays queued meanwhile
                            continue;
                        }
                    }
                    changed.await(CANCEL_POLL_MILLIS, TimeUnit.MILLISECONDS);
                }
            } finally {
                if (ticket.victim != null && ticket.victim.evictedFor == ticket) ticket.victim.evictedFor = null;
                if (queue.remove(ticket)) changed.signalAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestCancelledException();
        } finally {
            unlockClosing();
        }
    }

    private static Path key(ModelSpec spec) {
        return spec.load().modelFile();
    }

    /**
     * Whether {@code ticket} must let an earlier request go first: one that needs {@code slot}'s runner gone (it
     * chose it to evict, replaces it with other options, or all places are taken and it is the one that would go).
     * Requests that were waiting when the model became resident are all served in that turn. Lock held.
     */
    private boolean blocked(Ticket ticket, Slot slot) {
        if (ticket.arrivedNanos <= slot.readyNanos) return false;
        Slot predicted = null;
        for (Ticket earlier : queue) {
            if (earlier == ticket) return false;
            if (!needsLoad(earlier)) continue;
            if (slot.evictedFor == earlier || key(earlier.spec).equals(slot.key)) return true;
            boolean chose = earlier.victim != null && slots.get(earlier.victim.key) == earlier.victim;
            if (!chose && slots.size() >= maxLoaded) {
                if (predicted == null) predicted = pickVictim(slots.values());
                if (predicted == slot) return true;
            }
        }
        return false;
    }

    /** No runner resident or loading can serve this request. Lock held. */
    private boolean needsLoad(Ticket ticket) {
        Slot slot = slots.get(key(ticket.spec));
        if (slot == null || !slot.spec.sameRunnerAs(ticket.spec)) return true;
        return !slot.loading && !slot.model.isAlive();
    }

    /** Loads go one at a time, in arrival order, and once every unloaded runner is closed. Lock held. */
    private boolean mayLoadNow(Ticket ticket) {
        if (closing > 0) return false;
        for (Slot slot : slots.values()) {
            if (slot.loading) return false;
        }
        for (Ticket earlier : queue) {
            if (earlier == ticket) return true;
            if (needsLoad(earlier)) return false;
        }
        return true;
    }

    /**
     * Loads the ticket's model if it may now, or evicts one model to make room (setting {@code ticket.evicted}), or
     * marks the one it waits for. Returns the lease when loaded, else null. Lock held; no slot is loading.
     */
    private Lease place(Ticket ticket, Slot own, KeepAlive keepAlive, long start) throws EngineException {
        List<Slot> residents = new ArrayList<>(slots.values());
        if (own != null) {
            // The same model with other load options, or its runner died: one runner per model file, so it goes.
            evict(ticket, own, UnloadReason.REPLACED, residents);
            return null;
        }
        if (residents.isEmpty()) {
            LoadRequest plan = ticket.planned != null ? ticket.planned : planner.plan(ticket.spec, 0);
            return load(ticket, plan, keepAlive, start);
        }
        boolean full = residents.size() >= maxLoaded;
        if (!full && fitsAlongside(ticket, residents)) return load(ticket, ticket.spec.load(), keepAlive, start);
        Slot victim = pickVictim(residents);
        // None idle: keep waiting for the one already chosen, so the choice does not swing between busy models.
        if (victim.refs > 0 && ticket.victim != null && slots.get(ticket.victim.key) == ticket.victim) victim = ticket.victim;
        evict(ticket, victim, full ? UnloadReason.REPLACED : UnloadReason.MEMORY, residents);
        return null;
    }

    private boolean fitsAlongside(Ticket ticket, List<Slot> residents) {
        if (ticket.fitCheckedAt != residency) {
            List<LoadPlanner.Occupant> staying = residents.stream().filter(s -> s.model.isAlive())
                    .map(s -> new LoadPlanner.Occupant(s.loaded, Math.max(0, s.model.residentBytes()))).toList();
            ticket.fits = planner.fitsAlongside(ticket.spec, staying);
            ticket.fitCheckedAt = residency;
        }
        return ticket.fits;
    }

    /**
     * Evicts {@code victim} for {@code ticket} now if it is idle, else marks it so that new requests for it wait
     * and the ticket takes it once its requests finish. Before the first eviction the planner decides what to load
     * once everything resident is gone, and a refusal (it throws) leaves every model in place. Lock held.
     */
    private void evict(Ticket ticket, Slot victim, UnloadReason reason, List<Slot> residents) {
        if (ticket.victim != null && ticket.victim.evictedFor == ticket) ticket.victim.evictedFor = null;
        ticket.victim = victim;
        victim.evictedFor = ticket;
        if (victim.refs > 0) return;
        if (ticket.planned == null) {
            long reclaimable = 0;
            for (Slot slot : residents) {
                if (slot.model.isAlive()) reclaimable += Math.max(0, slot.model.residentBytes());
            }
            ticket.planned = planner.plan(ticket.spec, reclaimable);
        }
        unload(victim, victim.model.isAlive() ? reason : UnloadReason.RUNNER_EXITED);
        ticket.evicted = true;
    }

    /**
     * Which resident model goes to make room: an idle one before a busy one; among them a dead runner first, then
     * the one whose keep-alive runs out soonest (a busy one: the shortest keep-alive, as Ollama's
     * {@code findRunnerToUnload}), then the least recently used. Lock held.
     */
    private Slot pickVictim(java.util.Collection<Slot> candidates) {
        Instant now = clock.instant();
        return candidates.stream().filter(s -> !s.loading)
                .min(Comparator.comparing((Slot s) -> s.refs > 0)
                        .thenComparing(s -> s.model.isAlive())
                        .thenComparing(s -> s.expiresAt(now))
                        .thenComparingLong(s -> s.lastUsedNanos)
                        .thenComparing(s -> s.spec.name()))
                .orElse(null);
    }

    /** Requests waiting or being served their model, in arrival order; mutable, guarded by the lock. */
    private static final class Ticket {
        final ModelSpec spec;
        final long arrivedNanos;
        /** What to load once nothing else is resident, decided before the first eviction. */
        LoadRequest planned;
        /** The planner's answer to "fits alongside", valid while {@link #residency} equals {@link #fitCheckedAt}. */
        boolean fits;
        long fitCheckedAt = -1;
        /** The model it waits for (or last evicted) to make room. */
        Slot victim;
        /** It just evicted a model: look again at once. */
        boolean evicted;

        Ticket(ModelSpec spec, long arrivedNanos) {
            this.spec = spec;
            this.arrivedNanos = arrivedNanos;
        }
    }

    /** Loads outside the lock so /api/ps and requests for resident models are not held up; called with the lock held. */
    private Lease load(Ticket ticket, LoadRequest load, KeepAlive keepAlive, long start) throws EngineException {
        ModelSpec spec = ticket.spec;
        queue.remove(ticket);
        int alongside = slots.size();
        Slot slot = new Slot(spec, load);
        slots.put(slot.key, slot);
        lock.unlock();
        LoadedModel model = null;
        long loadStart = System.nanoTime();
        try {
            LOG.infof("loading model %s (ctx %d)%s", spec.name(), load.numCtx(),
                    alongside > 0 ? " alongside " + alongside + " resident" : "");
            model = engine.load(load);
        } catch (EngineException | RuntimeException e) {
            long nanos = System.nanoTime() - loadStart;
            listeners.forEach(l -> l.loadFailed(spec, nanos, e.getMessage()));
            throw e;
        } finally {
            lock.lock();
            if (model == null) {
                slots.remove(slot.key, slot);
                residency++;
                changed.signalAll();
            }
        }
        slot.model = model;
        slot.loading = false;
        slot.readyNanos = System.nanoTime();
        slot.claim(keepAlive);
        residency++;
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
            for (Slot slot : List.copyOf(slots.values())) {
                if (slot.loading || !slot.spec.name().equals(name)) continue;
                slot.keepAlive = KeepAlive.UNLOAD_NOW;
                if (slot.refs == 0) unload(slot, UnloadReason.REQUESTED);
            }
        } finally {
            unlockClosing();
        }
    }

    /**
     * The resident models for {@code /api/ps}, the one with the longest time left first (as Ollama lists them).
     * Never loads, never touches a keep-alive timer.
     */
    public List<ResidentModel> resident() {
        lock.lock();
        try {
            Instant now = clock.instant();
            List<ResidentModel> resident = new ArrayList<>();
            for (Slot slot : slots.values()) {
                if (slot.loading || !slot.model.isAlive()) continue;
                resident.add(new ResidentModel(slot.spec, slot.model.facts().contextLength(),
                        Math.max(0, slot.model.residentBytes()), slot.expiresAt(now), slot.refs));
            }
            resident.sort(Comparator.comparing(ResidentModel::expiresAt).reversed());
            return List.copyOf(resident);
        } finally {
            lock.unlock();
        }
    }

    /** The spec of a resident model (the first loaded), if any. */
    public Optional<ModelSpec> residentSpec() {
        lock.lock();
        try {
            return slots.values().stream().filter(s -> !s.loading).map(s -> s.spec).findFirst();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            for (Slot slot : List.copyOf(slots.values())) {
                if (!slot.loading) unload(slot, UnloadReason.SHUTDOWN);
            }
        } finally {
            unlockClosing();
        }
        timers.shutdownNow();
    }

    /**
     * Takes {@code slot} out of the resident set; its runner is closed once the lock is let go of, by this thread
     * ({@link #unlockClosing()} or {@link #closeUnloaded()}). Lock held.
     */
    private void unload(Slot slot, UnloadReason reason) {
        if (slot.timer != null) slot.timer.cancel(false);
        slots.remove(slot.key, slot);
        residency++;
        closing++;
        toClose.add(new Unloaded(slot, reason));
        changed.signalAll();
    }

    /**
     * Closes the runners unloaded so far with the lock let go of meanwhile, then tells the listeners. Lock held, and
     * held again on return; when held more than once (letting go would not free it) the outermost holder closes them.
     */
    private void closeUnloaded() {
        if (toClose.isEmpty() || lock.getHoldCount() != 1) return;
        List<Unloaded> batch = List.copyOf(toClose);
        toClose.clear();
        lock.unlock();
        try {
            for (Unloaded u : batch) {
                LOG.infof("unloading model %s (%s)", u.slot.spec.name(), u.reason.label);
                try {
                    u.slot.model.close();
                } catch (RuntimeException e) {
                    LOG.warnf(e, "closing the runner of %s failed", u.slot.spec.name());
                }
            }
        } finally {
            lock.lock();
            closing -= batch.size();
            residency++; // its memory is free now
            changed.signalAll();
            for (Unloaded u : batch) listeners.forEach(l -> l.unloaded(u.slot.spec, u.reason));
        }
    }

    /** Lets go of the lock, closing the runners unloaded while it was held once it is free. */
    private void unlockClosing() {
        try {
            closeUnloaded();
        } finally {
            lock.unlock();
        }
    }

    private void release(Slot slot) {
        lock.lock();
        try {
            slot.refs--;
            slot.lastUsedNanos = System.nanoTime();
            if (slot.refs == 0 && slots.get(slot.key) == slot) {
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
            unlockClosing();
        }
    }

    private void expireIdle(Slot slot) {
        lock.lock();
        try {
            if (slots.get(slot.key) == slot && slot.refs == 0) unload(slot, UnloadReason.EXPIRED);
        } finally {
            unlockClosing();
        }
    }

    /** A resident (or loading) model and its bookkeeping. Mutable, guarded by the scheduler's lock. */
    private static final class Slot {
        final ModelSpec spec;
        final Path key;
        /** What the runner loaded (the planner may have shrunk the context); requests still match on {@link #spec}. */
        final LoadRequest loaded;
        LoadedModel model;
        boolean loading = true;
        /** When it became ready: requests for it that were already waiting then are all served in this turn. */
        long readyNanos;
        int refs;
        KeepAlive keepAlive = KeepAlive.FOREVER;
        Instant idleSince;
        ScheduledFuture<?> timer;
        long lastUsedNanos;
        /** The request that will evict it once idle; new requests for it wait behind that one. */
        Ticket evictedFor;

        Slot(ModelSpec spec, LoadRequest loaded) {
            this.spec = spec;
            this.key = key(spec);
            this.loaded = loaded;
        }

        boolean serves(ModelSpec requested) {
            return !loading && spec.sameRunnerAs(requested) && model.isAlive();
        }

        void claim(KeepAlive requested) {
            refs++;
            lastUsedNanos = System.nanoTime();
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
