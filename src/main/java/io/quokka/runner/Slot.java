package io.quokka.runner;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.quokka.runner.llamacpp.LlamaCpp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One llama.cpp sequence ({@code seq_id}) of the shared context and the tokens its part of the KV cache holds, so
 * the next request on this slot can reuse a common prefix. Positions stay within {@code n_ctx / n_seq_max}; when
 * generation fills that window the slot shifts its own cells (Ollama's context shift), never another slot's.
 * Touched only by the llama thread ({@link Batcher}).
 */
final class Slot {
    private final NativeModel m;
    private final LlamaCpp llama;
    final int seqId;
    final int nCtxSlot;
    private final RunnerLog log;
    /** The {@code llama_seq_id} this slot's batch entries point at. */
    final MemorySegment seqIdSegment;
    /** Tokens whose keys and values are in this sequence's cache, at positions 0..size-1. */
    final IntList cached = new IntList();
    /** The generation using this slot, or null when it is free. */
    Generation owner;
    /** When the slot was last released (least recently used wins among equal prefixes). */
    long releasedAt;

    Slot(NativeModel m, int seqId, RunnerLog log) {
        this.m = m;
        this.llama = m.llama;
        this.seqId = seqId;
        this.nCtxSlot = m.nCtx / m.nSeqMax;
        this.log = log;
        this.seqIdSegment = Arena.ofAuto().allocateFrom(JAVA_INT, seqId);
    }

    /**
     * Keeps the cached prefix {@code inputs} shares with this sequence's cells and removes the rest; returns how many
     * input tokens need no decoding. At least the last input token is always decoded again (its logits are needed).
     */
    int reuse(int[] inputs) {
        int keep = cached.commonPrefix(inputs);
        if (keep == inputs.length) keep--;
        if (!llama.memorySeqRm(m.ctx, seqId, keep, -1)) {
            llama.memorySeqRm(m.ctx, seqId, -1, -1);
            keep = 0;
        }
        cached.truncate(keep);
        return keep;
    }

    /**
     * Ollama's context shift: keep the first {@code numKeep} tokens, drop half of the rest, slide the remainder
     * down (llama.cpp re-rotates the keys lazily on the next decode). Only this sequence's cells move.
     */
    boolean shift(int numKeep) {
        if (!llama.memoryCanShift(m.ctx)) return false;
        int size = cached.size();
        int targetFree = Math.max((nCtxSlot - numKeep) / 2, 1);
        int discard = targetFree - (nCtxSlot - size);
        if (discard <= 0) return true;
        log.info("context shift (seq " + seqId + "): keep " + numKeep + ", discard " + discard + " of " + size);
        if (!llama.memorySeqRm(m.ctx, seqId, numKeep, numKeep + discard)) return false;
        llama.memorySeqAdd(m.ctx, seqId, numKeep + discard, size, -discard);
        cached.removeRange(numKeep, numKeep + discard);
        return true;
    }

    /** After a failure (or when something else used the KV cache) its content is unknown: drop it. */
    void forget() {
        llama.memorySeqRm(m.ctx, seqId, -1, -1);
        cached.truncate(0);
    }
}
