package io.quokka.property;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Smaller candidates for a failing string or byte array: its halves and the value without its last element. Halving
 * first reaches a short failing case in a handful of steps; dropping the last element trims what halving cannot.
 */
public final class Shrink {
    private Shrink() {
    }

    /** A piece of a sequence, from {@code from} inclusive to {@code to} exclusive. */
    record Piece(int from, int to) {
    }

    /** The pieces of a sequence of {@code length} worth trying, none shorter than {@code min}, shortest first. */
    static List<Piece> pieces(int length, int min) {
        List<Piece> pieces = new ArrayList<>();
        int half = length / 2;
        if (half >= min && half < length) {
            pieces.add(new Piece(0, half));
            pieces.add(new Piece(half, length));
        }
        if (length - 1 >= min && length > 0) pieces.add(new Piece(0, length - 1));
        return pieces.stream().distinct().toList();
    }

    /** Shorter strings made of pieces of {@code s} (lone surrogates may result: fine for a shrunk case). */
    public static List<String> string(String s) {
        return pieces(s.length(), 0).stream().map(p -> s.substring(p.from(), p.to())).toList();
    }

    /** Shorter arrays made of pieces of {@code b}. */
    public static List<byte[]> bytes(byte[] b) {
        return pieces(b.length, 0).stream().map(p -> Arrays.copyOfRange(b, p.from(), p.to())).toList();
    }
}
