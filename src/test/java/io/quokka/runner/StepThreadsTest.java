package io.quokka.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How many threads a one-token decode step gets ({@link NativeModel#stepThreads}). */
class StepThreadsTest {
    @Test
    void allThreadsWhenBarriersSleepOneWhenTheySpin() {
        assertEquals(4, NativeModel.stepThreads(4, true, null));
        assertEquals(1, NativeModel.stepThreads(4, false, null));
        assertEquals(1, NativeModel.stepThreads(1, false, ""));
    }

    @Test
    void theOverrideIsAtLeastOneAndAtMostNumThread() {
        assertEquals(2, NativeModel.stepThreads(4, false, "2"));
        assertEquals(4, NativeModel.stepThreads(4, false, "16"));
        assertEquals(1, NativeModel.stepThreads(4, true, "0"));
        assertEquals(1, NativeModel.stepThreads(4, false, "many"));
    }
}
