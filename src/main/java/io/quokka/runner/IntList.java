package io.quokka.runner;

import java.util.Arrays;

/** A growable int array: token lists without boxing. */
final class IntList {
    private int[] values = new int[64];
    private int size;

    int size() {
        return size;
    }

    void add(int v) {
        if (size == values.length) values = Arrays.copyOf(values, size * 2);
        values[size++] = v;
    }

    void addAll(int[] src, int from, int to) {
        for (int i = from; i < to; i++) add(src[i]);
    }

    void truncate(int newSize) {
        size = Math.min(size, newSize);
    }

    void removeRange(int from, int to) {
        System.arraycopy(values, to, values, from, size - to);
        size -= to - from;
    }

    int commonPrefix(int[] other) {
        int n = Math.min(size, other.length);
        int i = 0;
        while (i < n && values[i] == other[i]) i++;
        return i;
    }

    int[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
