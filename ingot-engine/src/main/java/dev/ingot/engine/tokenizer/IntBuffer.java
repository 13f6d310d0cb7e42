package dev.ingot.engine.tokenizer;

import java.util.Arrays;

/** A growable int array, so encoding does not box every token id. */
final class IntBuffer {

    private int[] values;
    private int size;

    IntBuffer(int capacity) {
        values = new int[Math.max(4, capacity)];
    }

    void add(int value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    int size() {
        return size;
    }

    int[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
