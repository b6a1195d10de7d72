package io.quokka.runner;

import io.quokka.engine.DoneReason;
import io.quokka.engine.GenerationRequest;
import io.quokka.engine.GenerationResult;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request being served on a {@link Slot}: its (truncated) input, sampler chain, stop-string/UTF-8 output,
 * cancel flag and exact counts. First it feeds its prompt to the shared batch in chunks, then one token per step.
 */
final class Generation {
    final long id;
    final GenerationRequest request;
    final Slot slot;
    final int[] inputs;
    final int numKeep;
    final MemorySegment chain;
    final TextOutput text;
    final AtomicBoolean cancel;
    final long start;
    final IntList generated = new IntList();

    /** Input tokens already in the slot's cache (reused prefix plus decoded chunks). */
    int promptPos;
    /** Once the prompt is decoded: when generation began; 0 before. */
    long generationStart;
    /** Tokens sampled so far, the end-of-generation token included (Ollama's eval_count). */
    int predicted;
    /** The last sampled token, to be decoded in the next step. */
    int pending = -1;

    // Where this generation's tokens sit in the batch being decoded.
    int batchFrom, batchCount, logitsIndex = -1;

    Generation(long id, GenerationRequest request, Slot slot, int[] inputs, int numKeep, MemorySegment chain,
            TextOutput text, AtomicBoolean cancel, long start) {
        this.id = id;
        this.request = request;
        this.slot = slot;
        this.inputs = inputs;
        this.numKeep = numKeep;
        this.chain = chain;
        this.text = text;
        this.cancel = cancel;
        this.start = start;
    }

    boolean generating() {
        return generationStart != 0;
    }

    GenerationResult result(DoneReason reason) {
        long end = System.nanoTime();
        long genStart = generating() ? generationStart : end;
        int[] context = generating() ? concat(inputs, generated.toArray()) : inputs;
        return new GenerationResult(reason, inputs.length, genStart - start, predicted, end - genStart, context);
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
