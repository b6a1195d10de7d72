package io.quokka.api;

import java.util.Random;

/** {@link TextChunkTemplateTest}'s awkward random text, for the tests of other packages' templates. */
public final class TextChunkTemplateTestAccess {
    private TextChunkTemplateTestAccess() {}

    public static String randomText(Random random) {
        return TextChunkTemplateTest.randomText(random);
    }
}
