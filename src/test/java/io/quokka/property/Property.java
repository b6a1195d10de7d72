package io.quokka.property;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Runs a property: a check over {@code tries} generated cases, from a fixed seed so every build tries the same cases
 * ({@code -Dproperty.seed=N} picks others, {@code -Dproperty.seed=random} a new seed each run). Try {@code i} draws
 * from a generator seeded with {@code seed + i} alone, so {@code -Dproperty.try=i} replays just the failing case.
 *
 * <p>A failure is reported with the seed, the try and the case, after shrinking it when the generators know how (a
 * few dozen attempts at most: each may be a request to a server) and only while the check still fails with an
 * assertion, so that a server that stopped answering does not "shrink" every case to the smallest.
 */
public final class Property {
    /** The seed of every property unless {@code -Dproperty.seed} says otherwise. */
    public static final long DEFAULT_SEED = 20_261_123L;
    static final int SHRINK_ATTEMPTS = 40;
    private static final long SEED = seedFrom(System.getProperty("property.seed"));

    private Property() {
    }

    @FunctionalInterface
    public interface Check1<A> {
        void check(A a) throws Exception;
    }

    @FunctionalInterface
    public interface Check2<A, B> {
        void check(A a, B b) throws Exception;
    }

    @FunctionalInterface
    public interface Check3<A, B, C> {
        void check(A a, B b, C c) throws Exception;
    }

    /** The seed this run's properties start from. */
    public static long seed() {
        return SEED;
    }

    public static <A> void check(String name, int tries, Gen<A> a, Check1<A> check) {
        run(name, tries, List.of(a), args -> check.check(arg(args, 0)));
    }

    public static <A, B> void check(String name, int tries, Gen<A> a, Gen<B> b, Check2<A, B> check) {
        run(name, tries, List.of(a, b), args -> check.check(arg(args, 0), arg(args, 1)));
    }

    public static <A, B, C> void check(String name, int tries, Gen<A> a, Gen<B> b, Gen<C> c,
                                       Check3<A, B, C> check) {
        run(name, tries, List.of(a, b, c), args -> check.check(arg(args, 0), arg(args, 1), arg(args, 2)));
    }

    @SuppressWarnings("unchecked")
    private static <T> T arg(List<Object> args, int i) {
        return (T) args.get(i);
    }

    private static void run(String name, int tries, List<Gen<?>> gens, Check1<List<Object>> check) {
        Integer only = Integer.getInteger("property.try");
        for (int i = 0; i < tries; i++) {
            if (only != null && only != i) continue;
            RandomGenerator random = new SplittableRandom(SEED + i);
            List<Object> args = new ArrayList<>(gens.size());
            for (Gen<?> gen : gens) args.add(gen.next(random));
            Throwable failure = failure(check, args);
            if (failure != null) throw report(name, i, tries, args, shrink(gens, args, failure, check));
        }
        // One line per property in the build log, so a passing run says what it tried.
        System.out.printf("property %s: %s passed (seed %d)%n", name,
                only == null ? tries + " tries" : "try " + only + " of " + tries, SEED);
    }

    /** What {@code check} threw on {@code args}, or null when it passed. */
    private static Throwable failure(Check1<List<Object>> check, List<Object> args) {
        try {
            check.check(args);
            return null;
        } catch (Exception | AssertionError e) {
            return e;
        }
    }

    record Shrunk(List<Object> args, Throwable failure, int steps) {
    }

    /** Replaces one argument at a time by a smaller one while the check still fails with an assertion. */
    private static Shrunk shrink(List<Gen<?>> gens, List<Object> args, Throwable failure, Check1<List<Object>> check) {
        Shrunk best = new Shrunk(args, failure, 0);
        if (!(failure instanceof AssertionError)) return best;
        int attempts = 0;
        boolean smaller = true;
        while (smaller && attempts < SHRINK_ATTEMPTS) {
            smaller = false;
            for (int k = 0; k < gens.size() && !smaller; k++) {
                for (Object candidate : shrinkOne(gens.get(k), best.args().get(k))) {
                    if (attempts++ >= SHRINK_ATTEMPTS) break;
                    List<Object> tried = new ArrayList<>(best.args());
                    tried.set(k, candidate);
                    if (failure(check, tried) instanceof AssertionError e) {
                        best = new Shrunk(tried, e, best.steps() + 1);
                        smaller = true;
                        break;
                    }
                }
            }
        }
        return best;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> shrinkOne(Gen<T> gen, Object value) {
        return gen.shrink((T) value);
    }

    private static AssertionError report(String name, int attempt, int tries, List<Object> args, Shrunk shrunk) {
        StringBuilder s = new StringBuilder("property ").append(name).append(" failed on try ").append(attempt)
                .append(" of ").append(tries).append(" (seed ").append(SEED).append("; replay it with -Dproperty.seed=")
                .append(SEED).append(" -Dproperty.try=").append(attempt).append(")\n  case: ").append(describe(args));
        if (shrunk.steps() > 0) {
            s.append("\n  shrunk in ").append(shrunk.steps()).append(" steps to: ").append(describe(shrunk.args()));
        }
        s.append("\n  failure: ").append(shrunk.failure());
        return new AssertionError(s.toString(), shrunk.failure());
    }

    /** The arguments, readable: control chars and other invisible ones escaped, long values cut. */
    static String describe(List<Object> args) {
        return args.stream().map(Property::describe).toList().toString();
    }

    static String describe(Object value) {
        if (value instanceof byte[] bytes) {
            StringBuilder s = new StringBuilder("bytes[").append(bytes.length).append("] \"");
            for (byte b : Arrays.copyOf(bytes, Math.min(bytes.length, 200))) {
                s.append(b >= 0x20 && b < 0x7f && b != '"' && b != '\\' ? Character.toString(b)
                        : "\\x%02x".formatted(b & 0xff));
            }
            return s.append(bytes.length > 200 ? "\"…" : "\"").toString();
        }
        if (value instanceof String text) {
            StringBuilder s = new StringBuilder("\"");
            text.substring(0, Math.min(text.length(), 300)).codePoints().forEach(c -> s.append(c == '"' || c == '\\'
                    ? "\\" + (char) c : invisible(c) ? "\\u%04x".formatted(c) : Character.toString(c)));
            return s.append(text.length() > 300 ? "\"…(" + text.length() + " chars)" : "\"").toString();
        }
        String text = String.valueOf(value);
        return text.length() > 600 ? describe(text) : text;
    }

    /** A code point that would not show, or would garble the line: controls, lone surrogates, format and bidi marks. */
    private static boolean invisible(int c) {
        return c < 0x20 || (c >= 0x7f && c <= 0xa0) || (c >= 0xd800 && c <= 0xdfff)
                || Character.getType(c) == Character.FORMAT || Character.getType(c) == Character.LINE_SEPARATOR
                || Character.getType(c) == Character.PARAGRAPH_SEPARATOR || (c >= 0xfff0 && c <= 0xffff);
    }

    private static long seedFrom(String property) {
        if (property == null || property.isBlank()) return DEFAULT_SEED;
        if (property.equals("random")) return new SplittableRandom().nextLong();
        return Long.parseLong(property.strip());
    }
}
