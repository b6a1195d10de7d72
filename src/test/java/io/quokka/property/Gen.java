package io.quokka.property;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * A generator of test cases: a function of a random source. The project's own, small replacement for a property-based
 * testing library, with only the combinators its property tests use. A generator may also propose smaller values in
 * place of one that failed ({@link #shrink}); strings and byte arrays do, the rest do not (shrinking is a nicety here,
 * the report always has the seed and try that reproduce the failure). A value that depends on another, say a field
 * of the endpoint drawn first, comes from a lambda that draws both from the same random source.
 *
 * <p>Random sizes and numbers hit their edges (the bounds, 0, ±1, the shortest length) about one time in eight: that
 * is where the bugs are, and uniform draws over a wide range almost never reach them.
 */
@FunctionalInterface
public interface Gen<T> {

    /** A value, drawn from {@code random} alone (so the same seed gives the same value). */
    T next(RandomGenerator random);

    /** Smaller values to try in place of {@code value} when it fails, most promising first; none unless said so. */
    default List<T> shrink(T value) {
        return List.of();
    }

    default <R> Gen<R> map(Function<? super T, ? extends R> f) {
        return r -> f.apply(next(r));
    }

    /** Only values that pass {@code test}: generation draws again, shrinking skips smaller values that do not pass. */
    default Gen<T> filter(Predicate<? super T> test) {
        Gen<T> self = this;
        return new Gen<>() {
            @Override
            public T next(RandomGenerator r) {
                for (int i = 0; i < 1_000; i++) {
                    T value = self.next(r);
                    if (test.test(value)) return value;
                }
                throw new IllegalStateException("the filter rejected 1000 values in a row: it is too strict");
            }

            @Override
            public List<T> shrink(T value) {
                return self.shrink(value).stream().filter(test).toList();
            }
        };
    }

    /** This generator with {@code shrinker} proposing smaller values for a failing one (replaces any shrinking). */
    default Gen<T> shrinkWith(Function<? super T, List<T>> shrinker) {
        Gen<T> self = this;
        return new Gen<>() {
            @Override
            public T next(RandomGenerator r) {
                return self.next(r);
            }

            @Override
            public List<T> shrink(T value) {
                return shrinker.apply(value);
            }
        };
    }

    /** Lists of {@code min} to {@code max} values of this generator. */
    default Gen<List<T>> list(int min, int max) {
        Gen<Integer> sizes = sizes(min, max);
        return r -> {
            int size = sizes.next(r);
            List<T> list = new ArrayList<>(size);
            for (int i = 0; i < size; i++) list.add(next(r));
            return list;
        };
    }

    // --- choices ---

    static <T> Gen<T> constant(T value) {
        return r -> value;
    }

    /** One of {@code values}, each as likely. */
    @SafeVarargs
    static <T> Gen<T> of(T... values) {
        return of(Arrays.asList(values));
    }

    /** One of {@code values}, each as likely. */
    static <T> Gen<T> of(List<? extends T> values) {
        if (values.isEmpty()) throw new IllegalArgumentException("nothing to choose from");
        List<? extends T> copy = List.copyOf(values);
        return r -> copy.get(r.nextInt(copy.size()));
    }

    /** A value of one of {@code gens}, each generator as likely (however many values each can make). */
    @SafeVarargs
    static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
        List<Gen<? extends T>> list = List.of(gens);
        return r -> list.get(r.nextInt(list.size())).next(r);
    }

    /** A value of one of the generators, each chosen in proportion to its weight (the entry's key). */
    @SafeVarargs
    static <T> Gen<T> frequency(Map.Entry<Integer, Gen<? extends T>>... weighted) {
        List<Map.Entry<Integer, Gen<? extends T>>> list = List.of(weighted);
        int total = list.stream().mapToInt(Map.Entry::getKey).sum();
        return r -> {
            int pick = r.nextInt(total);
            for (Map.Entry<Integer, Gen<? extends T>> e : list) {
                if ((pick -= e.getKey()) < 0) return e.getValue().next(r);
            }
            throw new AssertionError("unreachable: the weights add up to " + total);
        };
    }

    /** {@code edges} one time in eight, {@code rest} otherwise. */
    private static <T> Gen<T> withEdges(List<T> edges, Gen<T> rest) {
        return frequency(Map.entry(1, of(edges)), Map.entry(7, rest));
    }

    // --- numbers ---

    static Gen<Boolean> booleans() {
        return RandomGenerator::nextBoolean;
    }

    /** Any int: edges often, otherwise uniform over the whole range. */
    static Gen<Integer> ints() {
        return ints(Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** Ints from {@code min} to {@code max} inclusive: the bounds, 0 and ±1 (when in range) often. */
    static Gen<Integer> ints(int min, int max) {
        return longs(min, max).map(Long::intValue);
    }

    /** Any long: edges often, otherwise uniform over the whole range. */
    static Gen<Long> longs() {
        return longs(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** Longs from {@code min} to {@code max} inclusive: the bounds, 0 and ±1 (when in range) often. */
    static Gen<Long> longs(long min, long max) {
        if (min > max) throw new IllegalArgumentException(min + " > " + max);
        List<Long> edges = Arrays.stream(new long[] {min, max, 0, 1, -1}).filter(v -> v >= min && v <= max)
                .distinct().boxed().toList();
        Gen<Long> uniform = max == Long.MAX_VALUE ? (min == Long.MIN_VALUE ? RandomGenerator::nextLong
                : r -> r.nextLong(min - 1, max) + 1) : r -> r.nextLong(min, max + 1);
        return withEdges(edges, uniform);
    }

    /**
     * Finite doubles of every magnitude (a uniform mantissa times a uniform power of two), and often 0, -0, ±1, the
     * smallest and the largest.
     */
    static Gen<Double> doubles() {
        return withEdges(List.of(0.0, -0.0, 1.0, -1.0, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE),
                r -> Math.scalb(r.nextDouble(-1, 1), r.nextInt(-1074, 1024)));
    }

    /**
     * Big integers from {@code min} to {@code max}: the bounds and 0 often; otherwise a random number of bits (so small
     * and huge numbers alike) with a random sign, drawn again until in range.
     */
    static Gen<BigInteger> bigIntegers(BigInteger min, BigInteger max) {
        if (min.compareTo(max) > 0) throw new IllegalArgumentException(min + " > " + max);
        int bits = Math.max(min.bitLength(), max.bitLength());
        List<BigInteger> edges = (min.signum() <= 0 && max.signum() >= 0) ? List.of(min, max, BigInteger.ZERO)
                : List.of(min, max);
        Gen<BigInteger> inRange = r -> {
            while (true) {
                byte[] magnitude = new byte[bits / 8 + 1];
                r.nextBytes(magnitude);
                BigInteger v = new BigInteger(1, magnitude).shiftRight(magnitude.length * 8 - r.nextInt(bits + 1));
                if (r.nextBoolean()) v = v.negate();
                if (v.compareTo(min) >= 0 && v.compareTo(max) <= 0) return v;
            }
        };
        return withEdges(edges, inRange);
    }

    // --- text and bytes ---

    /** One of the chars of {@code chars}. */
    static Gen<Character> chars(String chars) {
        return r -> chars.charAt(r.nextInt(chars.length()));
    }

    /** A char from {@code from} to {@code to} inclusive. */
    static Gen<Character> charRange(char from, char to) {
        return r -> (char) r.nextInt(from, to + 1);
    }

    /** Any UTF-16 code unit, lone surrogates, controls and noncharacters included. */
    static Gen<Character> anyChar() {
        return charRange(Character.MIN_VALUE, Character.MAX_VALUE);
    }

    /** Strings of {@code min} to {@code max} chars of {@code chars}; a failing one shrinks to shorter pieces of it. */
    static Gen<String> strings(Gen<Character> chars, int min, int max) {
        Gen<Integer> lengths = sizes(min, max);
        Gen<String> strings = r -> {
            int length = lengths.next(r);
            StringBuilder s = new StringBuilder(length);
            for (int i = 0; i < length; i++) s.append(chars.next(r));
            return s.toString();
        };
        return strings.shrinkWith(s -> Shrink.pieces(s.length(), min).stream()
                .map(p -> s.substring(p.from(), p.to())).toList());
    }

    /** Arrays of {@code min} to {@code max} random bytes; a failing one shrinks to shorter pieces of it. */
    static Gen<byte[]> bytes(int min, int max) {
        Gen<Integer> lengths = sizes(min, max);
        Gen<byte[]> bytes = r -> {
            byte[] b = new byte[lengths.next(r)];
            r.nextBytes(b);
            return b;
        };
        return bytes.shrinkWith(Shrink::bytes);
    }

    /** The values of {@code parts}, drawn in order, written one after the other. */
    static Gen<String> concat(Gen<?>... parts) {
        List<Gen<?>> list = List.of(parts);
        return r -> {
            StringBuilder s = new StringBuilder();
            for (Gen<?> part : list) s.append(part.next(r));
            return s.toString();
        };
    }

    /** Sizes from {@code min} to {@code max}: the shortest one time in eight, the longest one in sixteen. */
    private static Gen<Integer> sizes(int min, int max) {
        if (min < 0 || min > max) throw new IllegalArgumentException("sizes " + min + ".." + max);
        return frequency(Map.entry(2, constant(min)), Map.entry(1, constant(max)),
                Map.entry(13, r -> r.nextInt(min, max + 1)));
    }
}
